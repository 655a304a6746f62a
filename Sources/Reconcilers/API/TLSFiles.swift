/// PEM files for TLS, as TiDB Operator's client secret mounts them (`ca.crt`, `tls.crt`, `tls.key`).
/// Without `caFile` the system's CA bundle verifies the server. The server's certificate must always
/// name the URL's host; there is no switch to skip that check.
public struct TLSFiles: Codable, Sendable, Hashable {
    public var caFile: String?
    public var certFile: String?
    public var keyFile: String?

    public init(caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil) {
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
    }
    func validate(_ v: inout Validator) {
        for (field, path) in [("caFile", caFile), ("certFile", certFile), ("keyFile", keyFile)] {
            if let path, path.isEmpty { v.fail(field, "must be a file path, or left out") }
        }
        if (certFile == nil) != (keyFile == nil) {
            v.fail(certFile == nil ? "certFile" : "keyFile", "certFile and keyFile go together: a client certificate needs its key")
        }
    }
}
