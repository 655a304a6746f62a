extension StatusStore {
    /// Who opened the store. Only a controller holding the lease writes objects, status and
    /// events; clients (the CLI) write approvals, settings and their own audit entries.
    package enum Role: Equatable, Sendable {
        /// `holder` names this controller in the lease (a pod name, host:pid).
        case controller(holder: String)
        case client(actor: String)

        var name: String {
            switch self {
            case .controller(let holder): holder
            case .client(let actor): actor
            }
        }

        /// The audit `source` of entries this role writes on its own behalf.
        var auditSource: String {
            switch self {
            case .controller: "controller"
            case .client: "cli"
            }
        }
    }
}
