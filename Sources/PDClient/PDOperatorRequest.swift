import Foundation

/// The admin operators the executor creates with `POST /pd/api/v1/operators`. PD needs the ids as
/// JSON numbers (it type-asserts float64), so bodies are built as numbers, never strings.
package enum PDOperatorRequest: Sendable, Hashable {
    case transferLeader(regionID: UInt64, toStoreID: UInt64)
    case transferPeer(regionID: UInt64, fromStoreID: UInt64, toStoreID: UInt64)
    case addPeer(regionID: UInt64, storeID: UInt64)
    case addLearner(regionID: UInt64, storeID: UInt64)
    case removePeer(regionID: UInt64, storeID: UInt64)

    var name: String {
        switch self {
        case .transferLeader: return "transfer-leader"
        case .transferPeer: return "transfer-peer"
        case .addPeer: return "add-peer"
        case .addLearner: return "add-learner"
        case .removePeer: return "remove-peer"
        }
    }

    var regionID: UInt64 {
        switch self {
        case .transferLeader(let r, _), .transferPeer(let r, _, _), .addPeer(let r, _), .addLearner(let r, _),
             .removePeer(let r, _):
            return r
        }
    }

    /// The JSON body, keys in a fixed order.
    var body: Data {
        var fields: [(String, String)] = [("name", "\"\(name)\""), ("region_id", "\(regionID)")]
        switch self {
        case .transferLeader(_, let to): fields.append(("to_store_id", "\(to)"))
        case .transferPeer(_, let from, let to):
            fields.append(("from_store_id", "\(from)"))
            fields.append(("to_store_id", "\(to)"))
        case .addPeer(_, let s), .addLearner(_, let s), .removePeer(_, let s): fields.append(("store_id", "\(s)"))
        }
        return Data(("{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}").utf8)
    }
}
