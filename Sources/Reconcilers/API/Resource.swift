import Foundation

/// The API group and version of every object.
public let apiVersionV1Alpha1 = "operator.tikv/v1alpha1"

/// Who writes an object's spec: people through spec files, or the controller through the store.
public enum SpecAuthor: Sendable {
    case people
    case controller
}

/// A kind of object: its name, its spec and status types, and how the CLI refers to it.
public protocol APIKind: Sendable {
    associatedtype Spec: Codable & Sendable & Equatable & SpecValidatable
    associatedtype Status: Codable & Sendable & Equatable & ObjectStatus
    static var kind: String { get }
    /// Lower-case plural used by `operator get` (`tikvclusters`).
    static var plural: String { get }
    /// Other names the CLI accepts (singular, short names).
    static var aliases: [String] { get }
    static var author: SpecAuthor { get }
}

/// Every status has `observedGeneration` and conditions.
public protocol ObjectStatus: Sendable {
    init()
    var observedGeneration: Int64 { get set }
    var conditions: [Condition] { get set }
}

/// An object of one kind: `apiVersion`, `kind`, `metadata`, `spec` and `status`.
public struct Resource<K: APIKind>: Codable, Sendable, Equatable {
    public var apiVersion: String
    public var kind: String
    public var metadata: ObjectMeta
    public var spec: K.Spec
    public var status: K.Status

    public init(metadata: ObjectMeta, spec: K.Spec, status: K.Status = K.Status()) {
        self.apiVersion = apiVersionV1Alpha1
        self.kind = K.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public var name: String { metadata.name }
}

public enum TiKVClusterKind: APIKind {
    public typealias Spec = TiKVClusterSpec
    public typealias Status = TiKVClusterStatus
    public static let kind = "TiKVCluster"
    public static let plural = "tikvclusters"
    public static let aliases = ["tikvcluster", "tc", "cluster", "clusters"]
    public static let author = SpecAuthor.people
}

public enum StoreMaintenanceKind: APIKind {
    public typealias Spec = StoreMaintenanceSpec
    public typealias Status = StoreMaintenanceStatus
    public static let kind = "StoreMaintenance"
    public static let plural = "storemaintenances"
    public static let aliases = ["storemaintenance", "sm", "maintenance", "maintenances"]
    public static let author = SpecAuthor.people
}

public enum ApprovalKind: APIKind {
    public typealias Spec = ApprovalSpec
    public typealias Status = ApprovalStatus
    public static let kind = "Approval"
    public static let plural = "approvals"
    public static let aliases = ["approval"]
    public static let author = SpecAuthor.people
}

public enum TicketKind: APIKind {
    public typealias Spec = TicketSpec
    public typealias Status = TicketStatus
    public static let kind = "Ticket"
    public static let plural = "tickets"
    public static let aliases = ["ticket", "tk"]
    public static let author = SpecAuthor.controller
}

/// TiKV's plans.
public typealias RemediationPlanKind = SubjectPlanKind<TiKVSubject>

/// The plans of one subject: one kind, `RemediationPlan`, whatever the subject (plans are stored by kind name).
public enum SubjectPlanKind<S: Subject>: APIKind {
    public typealias Spec = SubjectPlanSpec<S>
    public typealias Status = RemediationPlanStatus
    public static var kind: String { "RemediationPlan" }
    public static var plural: String { "remediationplans" }
    public static var aliases: [String] { ["remediationplan", "plan", "plans", "rp"] }
    public static var author: SpecAuthor { .controller }
}

public typealias TiKVCluster = Resource<TiKVClusterKind>
public typealias StoreMaintenance = Resource<StoreMaintenanceKind>
public typealias Approval = Resource<ApprovalKind>
public typealias Ticket = Resource<TicketKind>
public typealias RemediationPlan = Resource<RemediationPlanKind>
public typealias SubjectPlan<S: Subject> = Resource<SubjectPlanKind<S>>

/// The kinds with spec and status, in the order the CLI lists them.
public let specStatusKinds: [any APIKind.Type] = [
    TiKVClusterKind.self, StoreMaintenanceKind.self, ApprovalKind.self, TicketKind.self, RemediationPlanKind.self,
]

/// A pointer to another object.
public struct ObjectReference: Codable, Sendable, Equatable, Hashable {
    public var kind: String
    public var name: String
    public init(kind: String, name: String) {
        self.kind = kind
        self.name = name
    }
    public var description: String { "\(kind)/\(name)" }
}

/// A plain status with only conditions, for kinds that need nothing more.
public struct BasicStatus: Codable, Sendable, Equatable, ObjectStatus {
    public var observedGeneration: Int64 = 0
    public var conditions: [Condition] = []
    public init() {}
}
