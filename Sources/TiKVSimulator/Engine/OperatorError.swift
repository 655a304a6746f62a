/// Why PD refused an operator or request: the HTTP status and the exact body text PD sends.
public struct PDError: Error, Sendable, Equatable {
    public var status: Int
    /// The message, sent as a JSON string unless `rawBody` is set.
    public var message: String
    /// A body sent verbatim (errcode objects, `null`, `{}`).
    public var rawBody: JSONValue?

    public init(_ status: Int, _ message: String, rawBody: JSONValue? = nil) {
        self.status = status
        self.message = message
        self.rawBody = rawBody
    }

    static func storeNotFound(_ id: UInt64, status: Int) -> PDError { PDError(status, "[PD:core:ErrStoreNotFound]store \(id) not found") }
    static func regionNotFound(_ id: UInt64, status: Int) -> PDError { PDError(status, "[PD:region:ErrRegionNotFound]region \(id) not found") }
    static let addOperator = PDError(500, "[PD:operator:ErrAddOperator]failed to add operator, maybe already have one")
    static let operatorNotFound = PDError(500, "[PD:operator:ErrOperatorNotFound]operator not found")
}
