import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TiKVSimulator

/// `operator simulate fault`: injects, lists and removes faults of a running simulator through `/sim/v1/faults`.
struct SimulateFaultCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fault",
        abstract: "Inject, list or remove faults in a running simulator.",
        discussion: """
        operator simulate fault --sim http://127.0.0.1:2379 kill --store 4
        operator simulate fault --sim URL slow --store 2 --factor 10
        operator simulate fault --sim URL hot-region --region 1024 --flow read
        operator simulate fault --sim URL '{"kind": "disk-fill", "store": 1, "percent": 5}'
        operator simulate fault --sim URL busy --store 3
        operator simulate fault --sim URL pd-leader-change --seconds 3
        operator simulate fault --sim URL pd-member-down --member sim-pd-1
        operator simulate fault --sim URL pd-member-unhealthy --member sim-pd-2
        operator simulate fault --sim URL misplace-replicas --factor 120
        operator simulate fault --sim URL clock-skew --seconds -300
        operator simulate fault --sim URL list
        operator simulate fault --sim URL delete 3
        """
    )

    @Option(help: "Simulator base URL.") var sim = "http://127.0.0.1:2379"
    @Argument(help: "A fault kind (\(Fault.Kind.allCases.map(\.rawValue).joined(separator: ", "))), list, delete, or a JSON fault body.")
    var action: String
    @Argument(help: "Fault id (delete).") var id: UInt64?
    @Option(help: "Store id.") var store: UInt64?
    @Option(help: "Region id (hot-region).") var region: UInt64?
    @Option(help: "slow: latency multiplier; hot-region: flow multiplier; misplace-replicas: how many regions.") var factor: Double?
    @Option(help: "disk-fill: available percent to leave.") var percent: Double?
    @Option(help: "hot-region: read or write.") var flow: String?
    @Option(help: "flapping: period in seconds.") var period: Int?
    @Option(help: "clock-skew: PD's clock offset in seconds (±); pd-leader-change: election length in seconds.") var seconds: Double?
    @Option(help: "pd-member-down, pd-member-unhealthy: the member's name (default: the leader).") var member: String?

    func run() async throws {
        let (method, path, body): (String, String, String?)
        switch action {
        case "list": (method, path, body) = ("GET", "/sim/v1/faults", nil)
        case "delete":
            guard let id else { throw ValidationError("delete needs a fault id") }
            (method, path, body) = ("DELETE", "/sim/v1/faults/\(id)", nil)
        case let json where json.hasPrefix("{"): (method, path, body) = ("POST", "/sim/v1/faults", json)
        case let kind:
            guard Fault.Kind(rawValue: kind) != nil else { throw ValidationError("unknown fault kind or action \(kind)") }
            var fields: [String: Any] = ["kind": kind]
            if let store { fields["store"] = store }
            if let region { fields["region"] = region }
            if let factor { fields["factor"] = factor }
            if let percent { fields["percent"] = percent }
            if let flow { fields["flow"] = flow }
            if let period { fields["period"] = period }
            if let seconds { fields["seconds"] = seconds }
            if let member { fields["member"] = member }
            let json = try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
            (method, path, body) = ("POST", "/sim/v1/faults", String(decoding: json, as: UTF8.self))
        }
        guard let url = URL(string: sim.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path) else {
            throw ValidationError("bad --sim URL \(sim)")
        }
        var req = URLRequest(url: url)
        req.httpMethod = method
        if let body {
            req.httpBody = Data(body.utf8)
            req.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, resp) = try await URLSession.shared.data(for: req)
        let status = (resp as? HTTPURLResponse)?.statusCode ?? 0
        FileHandle.standardOutput.write(data)
        if status != 200 {
            FileHandle.standardError.write(Data("simulator answered \(status)\n".utf8))
            Foundation.exit(1)
        }
    }
}
