import Testing
@testable import PDWire

@Suite struct GoDurationTests {
    @Test(arguments: [
        ("30s", Int64(30_000_000_000)), ("5m", 300_000_000_000), ("1h30m", 5_400_000_000_000),
        ("1.5ms", 1_500_000), ("10µs", 10_000), ("10us", 10_000), ("100ns", 100), ("0", 0),
        ("-2s", -2_000_000_000), ("123h59m51.482796882s", 446_391_482_796_882), ("1m0.5s", 60_500_000_000),
    ])
    func parses(text: String, ns: Int64) throws {
        #expect(try GoDuration(parsing: text).nanoseconds == ns)
    }

    @Test(arguments: ["", "5", "5x", "m", "1h-5m", "1..5s", "s5", "-", "1.s5"])
    func rejects(text: String) {
        #expect(throws: GoDuration.ParseError.self) { try GoDuration(parsing: text) }
    }

    @Test(arguments: [
        (Int64(0), "0s"), (30_000_000_000, "30s"), (1_800_000_000_000, "30m0s"), (3_600_000_000_000, "1h0m0s"),
        (10_000_000, "10ms"), (1_500_000, "1.5ms"), (10_000, "10µs"), (100, "100ns"),
        (446_391_482_796_882, "123h59m51.482796882s"), (-2_000_000_000, "-2s"), (172_800_000_000_000, "48h0m0s"),
        (5_400_000_000_000, "1h30m0s"), (90_500_000_000, "1m30.5s"),
    ])
    func formatsLikeGo(ns: Int64, text: String) {
        #expect(GoDuration(nanoseconds: ns).description == text)
    }
}

@Suite struct ByteSizeTests {
    @Test(arguments: [
        (UInt64(0), "0B"), (1 << 40, "1TiB"), (1_056_089_823_846, "983.6GiB"), (688_079_667, "656.2MiB"),
        (1_757_086_244_192, "1.598TiB"), (1023, "1023B"), (1024, "1KiB"), (1536, "1.5KiB"), (8 << 30, "8GiB"),
    ])
    func formatsLikeGoUnits(bytes: UInt64, text: String) {
        #expect(ByteSize(bytes).description == text)
    }

    @Test func parsesPDStrings() throws {
        #expect(try ByteSize(parsing: "1TiB").bytes == 1 << 40)
        #expect(try ByteSize(parsing: "0B").bytes == 0)
        #expect(try ByteSize(parsing: "10 GiB").bytes == 10 << 30)
        #expect(try ByteSize(parsing: "512m").bytes == 512 << 20)
        let approx = try ByteSize(parsing: "983.6GiB").bytes
        #expect(abs(Double(approx) - 983.6 * 1_073_741_824) < 1)
        #expect(throws: ByteSize.ParseError.self) { try ByteSize(parsing: "lots") }
        #expect(throws: ByteSize.ParseError.self) { try ByteSize(parsing: "12 parsecs") }
    }
}

@Suite struct GoTimeTests {
    @Test func roundTripsNanoseconds() throws {
        let t = try GoTime(parsing: "2025-06-10T07:59:56.482796882Z")
        #expect(t.seconds == 1_749_542_396)
        #expect(t.nanoseconds == 482_796_882)
        #expect(t.rfc3339Nano == "2025-06-10T07:59:56.482796882Z")
    }

    @Test func trimsTrailingZerosAndKeepsZone() throws {
        #expect(GoTime(seconds: 1_749_542_400, nanoseconds: 500_000_000).rfc3339Nano == "2025-06-10T08:00:00.5Z")
        let t = try GoTime(parsing: "2025-06-10T16:00:00+08:00")
        #expect(t.seconds == 1_749_542_400)
        #expect(t.rfc3339Nano == "2025-06-10T16:00:00+08:00")
        #expect(GoTime.zero.rfc3339Nano == "0001-01-01T00:00:00Z")
        #expect(try GoTime(parsing: "0001-01-01T00:00:00Z") == GoTime.zero)
    }

    @Test(arguments: ["", "2025-06-10", "2025-06-10T08:00:00", "2025-13-10T08:00:00Z", "2025-06-10T08:00:00.Z", "2025-06-10 08:00:00Z"])
    func rejects(text: String) {
        #expect(throws: GoTime.ParseError.self) { try GoTime(parsing: text) }
    }

    @Test func zeroTimeNanosecondsSaturateInsteadOfTrapping() {
        #expect(GoTime.zero.unixNanoseconds == .min)
    }

    @Test func unixNanoseconds() {
        let t = GoTime(unixNanoseconds: 1_749_542_372_100_000_000)
        #expect(t.rfc3339Nano == "2025-06-10T07:59:32.1Z")
    }
}
