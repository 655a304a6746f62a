import PDWire

/// `OpKind` bits (master numbering), printed in bit order.
public struct OpKind: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let admin = OpKind(rawValue: 1), affinity = OpKind(rawValue: 2), merge = OpKind(rawValue: 4)
    public static let range = OpKind(rawValue: 8), replica = OpKind(rawValue: 16), split = OpKind(rawValue: 32)
    public static let hotRegion = OpKind(rawValue: 64), region = OpKind(rawValue: 128), leader = OpKind(rawValue: 256)
    static let names = ["admin", "affinity", "merge", "range", "replica", "split", "hot-region", "region", "leader",
                        "witness-leader", "witness", "split-scatter"]
    public var text: String {
        Self.names.enumerated().filter { rawValue & (1 << UInt32($0.offset)) != 0 }.map(\.element).joined(separator: ",")
    }
}

/// One operator step (`pkg/schedule/operator/step.go`).
public enum OpStep: Sendable, Equatable {
    case transferLeader(from: UInt32, to: UInt32)
    case addLearner(peerId: UInt64, store: UInt32)
    /// Enter joint state: promote learners, demote voters (a pure promote when `demote` is empty).
    case enterJoint(promote: [PeerRef], demote: [PeerRef])
    case leaveJoint(promote: [PeerRef], demote: [PeerRef])
    /// `PromoteLearner`: a single promotion without joint consensus.
    case promoteLearner(peerId: UInt64, store: UInt32)
    case removePeer(store: UInt32)
    /// `MergeRegion`: the source's operator runs it (active), the target's waits for it (passive).
    case mergeRegion(from: UInt64, to: UInt64, passive: Bool)
    /// `SplitRegion`: TiKV splits the region by `policy` (SCAN, APPROXIMATE or USEKEY with `keys`, encoded keys); done
    /// once the region's range is no longer `[start, end)` (step.go `IsFinish`). Codes as `RegionKey` keeps them.
    case splitRegion(policy: String, keys: [[UInt8]], start: UInt64, end: UInt64)

    public struct PeerRef: Sendable, Equatable {
        public var peerId: UInt64
        public var store: UInt32
    }

    var text: String {
        func list(_ p: [PeerRef], _ d: [PeerRef]) -> String {
            (p.map { "promote learner peer \($0.peerId) on store \($0.store) to voter" }
                + d.map { "demote voter peer \($0.peerId) on store \($0.store) to learner" }).joined(separator: ", ")
        }
        switch self {
        case .transferLeader(let f, let t): return "transfer leader from store \(f) to store \(t)"
        case .addLearner(let p, let s): return "add learner peer \(p) on store \(s)"
        case .enterJoint(let p, let d): return "use joint consensus, " + list(p, d)
        case .leaveJoint(let p, let d): return "leave joint state, " + list(p, d)
        case .promoteLearner(let p, let s): return "promote learner peer \(p) on store \(s) to voter"
        case .removePeer(let s): return "remove peer on store \(s)"
        case .mergeRegion(let f, let t, _): return "merge region \(f) into region \(t)"
        case .splitRegion(let policy, _, _, _): return "split region with policy \(policy)"
        }
    }

    /// Step timeout per `step.go`: fast steps max(60 s, 0.6 s/MiB), slow (snapshot) steps max(10 min, 6 s/MiB).
    func timeoutNanos(sizeMiB: UInt32) -> Int64 {
        let fast = max(60.0, 0.6 * Double(sizeMiB))
        let slow = max(600.0, 6.0 * Double(sizeMiB))
        let seconds: Double
        switch self {
        case .addLearner: seconds = slow
        case .mergeRegion: seconds = slow * 10
        case .enterJoint(let p, let d), .leaveJoint(let p, let d): seconds = fast * Double(p.count + d.count + 1)
        default: seconds = fast
        }
        return Int64(seconds * 1e9)
    }
}

/// The final state of an operator (`OpStatus`, printed through `pdpb.OperatorStatus`).
public enum OpStatus: Sendable, Equatable {
    case running, success, cancel, timeout, replaced
    var pdpbName: String {
        switch self {
        case .running: "RUNNING"
        case .success: "SUCCESS"
        case .cancel: "CANCEL"
        case .timeout: "TIMEOUT"
        case .replaced: "REPLACE"
        }
    }
    var objectCode: Int64 {
        switch self {
        case .running: 1
        case .success: 2
        case .cancel: 3
        case .replaced: 4
        case .timeout: 6
        }
    }
}

/// An operator in flight or finished (`pkg/schedule/operator/operator.go`).
public struct SimOperator: Sendable {
    public var regionId: UInt64
    public var desc: String
    public var brief: String
    public var kind: OpKind
    public var epochVersion: UInt64
    public var epochConfVer: UInt64
    public var sizeMiB: UInt32
    public var steps: [OpStep]
    public var currentStep: Int
    public var createdAtNanos: Int64
    public var startAtNanos: Int64
    public var status: OpStatus
    public var finishedAtNanos: Int64?
    /// When the current step started; snapshot progress is measured from here.
    public var stepStartedNanos: Int64
    /// Snapshot bytes left for an add-learner step.
    public var snapshotBytesLeft: Double

    public init(regionId: UInt64, desc: String, brief: String, kind: OpKind, epochVersion: UInt64, epochConfVer: UInt64,
                sizeMiB: UInt32, steps: [OpStep], createdAtNanos: Int64, startAtNanos: Int64) {
        self.regionId = regionId
        self.desc = desc
        self.brief = brief
        self.kind = kind
        self.epochVersion = epochVersion
        self.epochConfVer = epochConfVer
        self.sizeMiB = sizeMiB
        self.steps = steps
        self.currentStep = 0
        self.createdAtNanos = createdAtNanos
        self.startAtNanos = startAtNanos
        self.status = .running
        self.finishedAtNanos = nil
        self.stepStartedNanos = startAtNanos
        self.snapshotBytesLeft = -1
    }

    public var timeoutNanos: Int64 { steps.reduce(0) { $0 + $1.timeoutNanos(sizeMiB: sizeMiB) } }

    /// The level PD's producer would have set (see `OperatorPriority.of`).
    public var priority: OperatorPriority { .of(desc: desc, kind: kind) }

    /// Never started: PD refused it in `AddOperator`, so its start time is Go's zero time.
    public var neverStarted: Bool { startAtNanos == Int64.min }

    /// Store-limit cost per store and type over all steps (`NewTotalOpInfluence` + `AdjustStepCost`): a new
    /// peer costs add-peer on its store, a removed peer remove-peer on its store.
    var storeLimitCosts: [(store: UInt64, type: StoreLimitTable.LimitType, cost: Double)] {
        let cost = StoreLimitTable.stepCost(regionSizeMiB: sizeMiB)
        guard cost > 0 else { return [] }
        return steps.compactMap { step in
            switch step {
            case .addLearner(_, let s): (UInt64(s), .addPeer, cost)
            case .removePeer(let s): (UInt64(s), .removePeer, cost)
            default: nil
            }
        }
    }

    /// `Operator.String()`, with ` finished` / ` timeout` appended as PD does.
    /// Times are PD's wall clock: the cluster's true time plus `skewNanos`. The monotonic reading (`m=+…`) counts
    /// from PD's process start and is not moved by a wall-clock offset.
    func text(monotonicBase: Int64, skewNanos: Int64 = 0) -> String {
        let base = monotonicBase + skewNanos
        let created = createdAtNanos + skewNanos, started = startAtNanos + skewNanos
        let stepText = steps.enumerated().map { "\($0.offset):{\($0.element.text)}" }.joined(separator: ", ")
        var s = "\(desc) {\(brief)} (kind:\(kind.text), region:\(regionId)(\(epochVersion), \(epochConfVer)), "
            + "createAt:\(GoTimeString.format(unixNanos: created, monotonicBaseNanos: base)), "
            + "startAt:\(GoTimeString.format(unixNanos: started, monotonicBaseNanos: base)), "
            + "currentStep:\(currentStep), size:\(sizeMiB), steps:[\(stepText)], "
            + "timeout:[\(GoDuration(nanoseconds: timeoutNanos).description)])"
        if status == .success { s += " finished" }
        if status == .timeout { s += " timeout" }
        return s
    }

    /// `OpRecord.String()` (operator.go:496-518): an unfinished operator's duration counts from its last finished
    /// step; one never started counts from Go's zero time, which `time.Sub` saturates to the largest duration.
    func recordText(monotonicBase: Int64, skewNanos: Int64 = 0) -> String {
        let finish = finishedAtNanos ?? startAtNanos
        let from = status != .success && currentStep > 0 ? stepStartedNanos : startAtNanos
        let duration = neverStarted ? Int64.max : finish - from
        return text(monotonicBase: monotonicBase, skewNanos: skewNanos)
            + " (finishAt:\(GoTimeString.format(unixNanos: finish + skewNanos, monotonicBaseNanos: monotonicBase + skewNanos)), "
            + "duration:\(GoDuration(nanoseconds: duration).description))"
    }
}
