import Testing
@testable import PDWire

@Suite struct HTTPDateTests {
    @Test func parsesAndPrintsGoDateHeaders() {
        // `date -u -d @1796638800` → Mon Dec  7 10:20:00 UTC 2026
        #expect(HTTPDate(parsing: "Mon, 07 Dec 2026 10:20:00 GMT")?.unixSeconds == 1_796_638_800)
        #expect(HTTPDate(unixSeconds: 1_796_638_800).text == "Mon, 07 Dec 2026 10:20:00 GMT")
        #expect(HTTPDate(unixSeconds: 0).text == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDate(parsing: "Thu, 29 Feb 2024 23:59:59 GMT")?.unixSeconds == 1_709_251_199)
        for n: Int64 in [0, 951_782_400, 1_709_251_199, 4_102_444_800] {
            #expect(HTTPDate(parsing: HTTPDate(unixSeconds: n).text)?.unixSeconds == n)
        }
    }

    @Test func refusesWhatGoDoesNotWrite() {
        for bad in ["", "Monday, 07-Dec-26 10:20:00 GMT", "Mon Dec  7 10:20:00 2026", "Mon, 07 Dec 2026 10:20:00 UTC",
                    "Mon, 32 Dec 2026 10:20:00 GMT", "Mon, 07 Foo 2026 10:20:00 GMT", "Mon, 07 Dec 2026 25:20:00 GMT"] {
            #expect(HTTPDate(parsing: bad) == nil, "\(bad)")
        }
    }
}
