import Foundation
import PDWire

/// PD's client URLs. Several members may be listed; the client follows the leader and fails over.
public struct PDEndpoint: Codable, Sendable, Equatable {
    public var urls: [String]
    @Default<Seconds5> public var timeout: GoDuration
    /// For `https` URLs: the CA and client certificate (a TiDB cluster with TLS requires one).
    public var tls: TLSFiles?

    public init(urls: [String], timeout: GoDuration = Seconds5.defaultValue, tls: TLSFiles? = nil) {
        self.urls = urls
        self.timeout = timeout
        self.tls = tls
    }
    func validate(_ v: inout Validator) {
        if urls.isEmpty { v.fail("urls", "must list at least one PD URL, e.g. http://basic-pd.tidb.svc:2379") }
        for (i, u) in urls.enumerated() { v.url("urls[\(i)]", u) }
        v.duration("timeout", timeout, min: .milliseconds(100), max: .minutes(5))
        if let tls {
            v.nested("tls") { tls.validate(&$0) }
            if !urls.contains(where: { $0.lowercased().hasPrefix("https://") }) {
                v.fail("tls", "is set but no URL is https://: TLS is used only for https URLs")
            }
        }
    }
}

/// The Prometheus that scrapes the cluster's TiKV and PD. Without it, metric invariants stay Unknown.
public struct PrometheusEndpoint: Codable, Sendable, Equatable {
    public var url: String
    @Default<Seconds10> public var timeout: GoDuration
    /// The range of the `rate(…[w])` behind latency and QPS: at least four scrape intervals (Grafana's
    /// `$__rate_interval` rule); shorter reacts sooner, longer smooths more.
    @Default<Minutes1> public var rateWindow: GoDuration
    /// For an `https` URL: the CA (and a client certificate, if Prometheus asks for one).
    public var tls: TLSFiles?

    public init(url: String, timeout: GoDuration = Seconds10.defaultValue, rateWindow: GoDuration = Minutes1.defaultValue,
                tls: TLSFiles? = nil) {
        self.url = url
        self.timeout = timeout
        self.rateWindow = rateWindow
        self.tls = tls
    }
    func validate(_ v: inout Validator) {
        v.url("url", url)
        v.duration("timeout", timeout, min: .milliseconds(100), max: .minutes(5))
        v.duration("rateWindow", rateWindow, min: .seconds(4), max: .hours(1))
        if let tls {
            v.nested("tls") { tls.validate(&$0) }
            if !url.lowercased().hasPrefix("https://") { v.fail("tls", "is set but the URL is not https://: TLS is used only for https URLs") }
        }
    }
}
