import ControllerRuntime
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A real Prometheus on 127.0.0.1 with a free port and its own config and data directory: what
/// `operator demo` starts when a `prometheus` binary is on PATH, and what the integration tests scrape
/// the simulator with (Debian's, installed by `hack/test.sh`). `stop()` ends it and removes its directory.
/// `@unchecked`: its fields are set once at start; `Subprocess` is safe to stop from any thread.
final class PrometheusProcess: @unchecked Sendable {
    /// One scrape target: an address and the labels it gets (`instance`, `__param_store`, …).
    struct Target: Sendable {
        var address: String
        var labels: [String: String] = [:]
    }

    struct Job: Sendable {
        var name: String
        var targets: [Target]
        var metricsPath = "/metrics"
        /// Keep the labels the target wrote (the simulator writes `instance` itself).
        var honorLabels = false
        /// Metric names (a regex) this job drops after the scrape.
        var dropMetrics: String?
    }

    enum Failure: Error, CustomStringConvertible {
        case notInstalled
        case notReady(String)
        var description: String {
            switch self {
            case .notInstalled: "no prometheus binary on PATH (hack/test.sh installs Debian's)"
            case .notReady(let m): "Prometheus did not become ready: \(m)"
            }
        }
    }

    /// The first executable `prometheus` on PATH.
    static var binary: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/prometheus" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static var isInstalled: Bool { binary != nil }

    let url: URL
    private let process: Subprocess
    let directory: URL

    private init(process: Subprocess, directory: URL, port: Int) {
        var parts = URLComponents()
        parts.scheme = "http"
        parts.host = "127.0.0.1"
        parts.port = port
        self.url = parts.url ?? URL(fileURLWithPath: "/")
        self.process = process
        self.directory = directory
    }

    /// Starts Prometheus and waits (bounded) until `/-/ready` answers 200.
    static func start(jobs: [Job], scrapeInterval: String = "1s", readyWithin: Duration = .seconds(60)) async throws -> PrometheusProcess {
        guard let binary else { throw Failure.notInstalled }
        var lastError = "no attempt"
        // A port found free may be taken before Prometheus binds it: try a few.
        for _ in 0..<3 {
            let port = try freePort()
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("prometheus-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("data"), withIntermediateDirectories: true)
            let config = dir.appendingPathComponent("prometheus.yml")
            try configText(jobs: jobs, scrapeInterval: scrapeInterval).write(to: config, atomically: true, encoding: .utf8)
            let p = Subprocess()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["--config.file=\(config.path)", "--storage.tsdb.path=\(dir.appendingPathComponent("data").path)",
                           "--web.listen-address=127.0.0.1:\(port)", "--storage.tsdb.retention.time=1h", "--log.level=error"]
            let log = dir.appendingPathComponent("prometheus.log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            p.standardOutput = handle
            p.standardError = handle
            try p.run()
            let running = PrometheusProcess(process: p, directory: dir, port: port)
            if await running.waitReady(within: readyWithin) { return running }
            lastError = (try? String(contentsOf: log, encoding: .utf8))?.suffix(500).description ?? "no log"
            running.stop()
        }
        throw Failure.notReady(lastError)
    }

    /// Kills the process and removes its directory.
    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    private func waitReady(within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        let ready = url.appendingPathComponent("-/ready")
        while ContinuousClock.now < deadline, process.isRunning {
            if let (_, response) = try? await URLSession.shared.data(from: ready), (response as? HTTPURLResponse)?.statusCode == 200 {
                return true
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    static func configText(jobs: [Job], scrapeInterval: String) -> String {
        var y = "global:\n  scrape_interval: \(scrapeInterval)\n  scrape_timeout: \(scrapeInterval)\n  evaluation_interval: \(scrapeInterval)\nscrape_configs:\n"
        for job in jobs {
            y += "  - job_name: \(quote(job.name))\n    metrics_path: \(quote(job.metricsPath))\n    honor_labels: \(job.honorLabels)\n"
            y += "    static_configs:\n"
            for t in job.targets {
                y += "      - targets: [\(quote(t.address))]\n"
                if !t.labels.isEmpty {
                    y += "        labels:\n"
                    for k in t.labels.keys.sorted() { y += "          \(k): \(quote(t.labels[k] ?? ""))\n" }
                }
            }
            if let drop = job.dropMetrics {
                y += "    metric_relabel_configs:\n      - source_labels: [__name__]\n        regex: \(quote(drop))\n        action: drop\n"
            }
        }
        return y
    }

    private static func quote(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// A port the kernel just handed out on 127.0.0.1 (then released for Prometheus to take).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure.notReady("socket() failed") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        guard bound == 0 else { throw Failure.notReady("bind() failed") }
        let named = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        guard named == 0 else { throw Failure.notReady("getsockname() failed") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
