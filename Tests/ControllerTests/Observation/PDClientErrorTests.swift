import Foundation
import Testing
import FlyingFox
import PDWire
import TestSupport
@testable import PDClient

/// Each of PD's irregular error shapes, served over HTTP, becomes the right `PDError`.
@Suite struct PDClientErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var status: Int
        var body: String
        var contentType: String = "application/json; charset=UTF-8"
        var headers: [String: String] = [:]
        var kind: PDError.Kind
        var codeName: String?
        var errcode: String?
        var messagePrefix: String
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "404 store string", status: 404, body: "\"[PD:core:ErrStoreNotFound]store 99 not found\"\n",
             kind: .notFound, codeName: "ErrStoreNotFound", messagePrefix: "[PD:core:ErrStoreNotFound]store 99"),
        Case(label: "500 operator not found", status: 500, body: "\"[PD:operator:ErrOperatorNotFound]operator not found\"\n",
             kind: .notFound, codeName: "ErrOperatorNotFound", messagePrefix: "[PD:operator"),
        Case(label: "410 tombstone", status: 410, body: "\"[PD:core:ErrStoreRemoved]store 9 has been removed\"\n",
             kind: .storeRemoved, codeName: "ErrStoreRemoved", messagePrefix: "[PD:core:ErrStoreRemoved]"),
        Case(label: "400 errcode object", status: 400,
             body: #"{"code":"input","msg":"strconv.ParseUint: parsing \"abc\": invalid syntax","data":{}}"#,
             headers: ["TiDB-Error-Code": "input"], kind: .badRequest, errcode: "input", messagePrefix: "strconv.ParseUint"),
        Case(label: "400 plain string", status: 400, body: "\"missing operator name\"\n", kind: .badRequest, messagePrefix: "missing operator name"),
        Case(label: "500 add operator", status: 500, body: "\"[PD:operator:ErrAddOperator]failed to add operator, maybe already have one\"\n",
             kind: .operatorConflict, codeName: "ErrAddOperator", messagePrefix: "[PD:operator:ErrAddOperator]"),
        Case(label: "500 not bootstrapped", status: 500,
             body: "\"[PD:cluster:ErrNotBootstrapped]TiKV cluster not bootstrapped, please start TiKV first\"\n",
             kind: .notBootstrapped, codeName: "ErrNotBootstrapped", messagePrefix: "[PD:cluster"),
        Case(label: "503 text/plain follower", status: 503, body: "[PD:apiutil:ErrRedirectNoLeader]redirect finds no leader\n",
             contentType: "text/plain; charset=utf-8", kind: .noLeader, codeName: "ErrRedirectNoLeader", messagePrefix: "[PD:apiutil"),
        Case(label: "Go 404 page", status: 404, body: "404 page not found\n", contentType: "text/plain; charset=utf-8",
             kind: .notFound, messagePrefix: "404 page not found"),
        Case(label: "400 {}", status: 400, body: "{}", kind: .badRequest, messagePrefix: "(empty error body)"),
        Case(label: "404 null", status: 404, body: "null", kind: .notFound, messagePrefix: "(empty error body)"),
        Case(label: "412 placement", status: 412, body: "\"[PD:placement:ErrPlacementDisabled]placement rules feature is disabled\"\n",
             kind: .preconditionFailed, codeName: "ErrPlacementDisabled", messagePrefix: "[PD:placement"),
        Case(label: "502 HTML proxy page", status: 502, body: "<html><body><h1>502 Bad Gateway</h1></body></html>",
             contentType: "text/html", kind: .server, messagePrefix: "<html>"),
        Case(label: "500 plain string", status: 500, body: "\"region has no voter in store 9\"\n", kind: .server,
             messagePrefix: "region has no voter"),
    ]

    @Test(arguments: cases)
    func mapsErrorShape(_ c: Case) async throws {
        let server = try await LoopbackServer.start { _ in
            Reply.json(Data(c.body.utf8), status: c.status, contentType: c.contentType, headers: c.headers)
        }
        try await withServer(server) { server in
            let pd = FakePD.client([server.url])
            do throws(PDError) {
                _ = try await pd.region(id: 99)
                Issue.record("expected an error")
            } catch {
                #expect(error.kind == c.kind)
                #expect(error.status == c.status)
                #expect(error.code?.name == c.codeName)
                #expect(error.errcode == c.errcode)
                #expect(error.message.hasPrefix(c.messagePrefix), "\(error.message)")
                #expect(error.url.hasSuffix("/pd/api/v1/region/id/99"))
            }
        }
    }
}

/// Bodies that are not what PD sends, and servers that misbehave, are rejected with typed errors.
@Suite struct PDClientHostileTests {
    static func serve(_ reply: @escaping @Sendable () async throws -> FlyingFox.HTTPResponse) async throws -> LoopbackServer {
        try await LoopbackServer.start { _ in try await reply() }
    }

    @Test(arguments: [
        ("truncated", #"{"store":{"id":1,"address":"a"#),
        ("wrong types", #"{"store":{"id":"one","state_name":"Up"},"status":{}}"#),
        ("HTML 200", "<html><body>maintenance</body></html>"),
        ("empty 200", ""),
        ("bad byte size", #"{"store":{"id":1,"state_name":"Up"},"status":{"capacity":"huge"}}"#),
    ])
    func malformedBodies(label: String, body: String) async throws {
        let server = try await Self.serve { Reply.json(body) }
        try await withServer(server) { server in
            await #expect(throws: PDError.self) { try await FakePD.client([server.url]).region(id: 1) }
            do throws(PDError) { _ = try await FakePD.client([server.url]).region(id: 1) } catch { #expect(error.kind == .malformedBody, "\(label)") }
        }
    }

    @Test func malformedRegionStream() async throws {
        let server = try await Self.serve {
            Reply.json(Data(#"{"count":2,"regions":[{"id":1},{"id":2,"peers":[{"id":"x"}]}]}"#.utf8), contentType: "application/octet-stream")
        }
        try await withServer(server) { server in
            var got: [UInt64] = []
            do {
                for try await r in FakePD.client([server.url]).regions(onStore: 1) { got.append(r.id) }
                Issue.record("accepted a malformed stream")
            } catch let e as PDError {
                #expect(e.kind == .malformedBody)
                #expect(e.message.contains("unsigned integer"))
            }
            #expect(got == [1])   // the good region before the bad one was delivered
        }
    }

    @Test func truncatedRegionStream() async throws {
        let full = RegionBodyGenerator.body(regions: 50)
        let server = try await Self.serve { Reply.json(full.prefix(full.count - 100), contentType: "application/octet-stream") }
        try await withServer(server) { server in
            await #expect(throws: PDError.self) { for try await _ in FakePD.client([server.url]).regions(onStore: 1) {} }
        }
    }

    @Test func bodyOverTheCapIsAbandoned() async throws {
        let big = RegionBodyGenerator.body(regions: 5_000)   // about 2.5 MB
        let server = try await Self.serve { Reply.json(big, contentType: "application/octet-stream") }
        try await withServer(server) { server in
            let limits = HTTPLimits.patient(maxBodyBytes: 256 << 10)
            let pd = FakePD.client([server.url], limits: limits)
            do {
                var n = 0
                for try await _ in pd.regions(onStore: 1) { n += 1 }
                Issue.record("read \(n) regions past the cap")
            } catch let e as PDError {
                #expect(e.kind == .bodyTooLarge)
            }
            do throws(PDError) { _ = try await pd.stores(); Issue.record("accepted a body over the cap") } catch { #expect(error.kind == .bodyTooLarge) }
        }
    }

    @Test func slowHeadersHitTheHeaderTimeout() async throws {
        let server = try await Self.serve {
            try await Task.sleep(for: .seconds(30))
            return Reply.json("{}")
        }
        try await withServer(server) { server in
            let limits = HTTPLimits(responseHeaderTimeout: .milliseconds(300), deadline: .seconds(10))
            do throws(PDError) { _ = try await FakePD.client([server.url], limits: limits).members(); Issue.record("no timeout") } catch {
                #expect(error.kind == .responseTimeout)
            }
        }
    }

    @Test func slowBodyHitsTheDeadline() async throws {
        let server = try await Self.serve {
            Reply.streaming(chunks: Array(repeating: Data(repeating: 0x20, count: 64), count: 50), delay: .milliseconds(100))
        }
        try await withServer(server) { server in
            let limits = HTTPLimits(responseHeaderTimeout: .seconds(60), deadline: .milliseconds(700))
            do throws(PDError) { _ = try await FakePD.client([server.url], limits: limits).members(); Issue.record("no timeout") } catch {
                #expect(error.kind == .requestTimeout)
            }
        }
    }

    @Test func refusedAndUnresolvable() async throws {
        let refused = try await LoopbackServer.refusingURL()
        do { _ = try await FakePD.client([refused]).members(); Issue.record("connected") } catch {
            #expect(error.kind == .connectionRefused)
        }
        let limits = HTTPLimits.patient
        do {
            _ = try await FakePD.client([URL(string: "http://pd.does-not-exist.invalid:2379")!], limits: limits).members()
            Issue.record("resolved an .invalid name")
        } catch {
            #expect(error.kind == .dnsFailure)
        }
    }
}
