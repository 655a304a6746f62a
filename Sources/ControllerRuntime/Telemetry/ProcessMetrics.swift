import CoreMetrics
import Foundation
import Prometheus
import Synchronization

/// The `process_*` metrics every Prometheus client exports (CPU, memory, file descriptors, start time), read from
/// Linux's /proc at each scrape: what an SRE's standard "process" panels and alerts expect. Nothing is reported on a
/// system without /proc.
final class ProcessMetrics: Sendable {
    /// The CPU seconds already added to the counter, so each scrape adds only what was used since.
    private let reportedCPU = Mutex<Double>(0)

    func sample(into factory: PrometheusMetricsFactory) {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let fields = Self.statFields(stat) else { return }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let page = Double(sysconf(Int32(_SC_PAGESIZE)))
        // Fields after the command name, 0-based from field 3 (state): utime 11, stime 12, starttime 19, vsize 20, rss 21.
        guard ticks > 0, fields.count > 21, let utime = Double(fields[11]), let stime = Double(fields[12]),
              let start = Double(fields[19]), let vsize = Double(fields[20]), let rss = Double(fields[21]) else { return }
        let cpu = (utime + stime) / ticks
        let delta = reportedCPU.withLock { reported -> Double in
            let d = max(0, cpu - reported)
            reported = max(reported, cpu)
            return d
        }
        FloatingPointCounter(label: "process_cpu_seconds_total", factory: factory).increment(by: delta)
        Gauge(label: "process_resident_memory_bytes", factory: factory).record(rss * page)
        Gauge(label: "process_virtual_memory_bytes", factory: factory).record(vsize)
        if let boot = Self.bootTime() {
            Gauge(label: "process_start_time_seconds", factory: factory).record(boot + start / ticks)
        }
        if let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            Gauge(label: "process_open_fds", factory: factory).record(fds.count)
        }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 {
            Gauge(label: "process_max_fds", factory: factory).record(Double(limit.rlim_cur))
        }
    }

    /// The fields after `pid (comm)`: the command name may itself hold spaces and parentheses, so the split starts
    /// after its last ")".
    static func statFields(_ stat: String) -> [Substring]? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ")
    }

    /// The system's boot time (`btime` in /proc/stat), in Unix seconds.
    static func bootTime() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
