import Foundation
import PDWire

/// A recurring window in which plans may execute; with none declared, any time is allowed.
public struct MaintenanceWindow: Codable, Sendable, Equatable {
    /// Five-field cron expression for when the window opens, e.g. `0 2 * * *`.
    public var schedule: CronSchedule
    public var duration: GoDuration
    /// IANA zone for the schedule, e.g. `UTC` or `Asia/Shanghai`.
    @Default<UTC> public var timeZone: String

    public init(schedule: CronSchedule, duration: GoDuration, timeZone: String = UTC.defaultValue) {
        self.schedule = schedule
        self.duration = duration
        self.timeZone = timeZone
    }
    func validate(_ v: inout Validator) {
        v.duration("duration", duration, min: .minutes(1), max: .hours(24))
        if TimeZone(identifier: timeZone) == nil {
            v.fail("timeZone", "unknown time zone \"\(timeZone)\": expected an IANA name such as UTC or Europe/Berlin")
        }
    }
}
