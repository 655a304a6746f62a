import Foundation

/// Reads one response off a connection: the head, then the body as the framing delimits it, in
/// chunks as they arrive. Owned by one exchange.
struct HTTP1Reader {
    let connection: HTTP1Connection
    private var buffer: [UInt8] = []
    private var start = 0
    /// Bytes received for the current response, head included: zero means the server sent nothing.
    private(set) var received = 0
    private let scratch = Scratch(count: 64 << 10)

    init(_ connection: HTTP1Connection) { self.connection = connection }

    private var buffered: Int { buffer.count - start }

    /// True once the body was read exactly, with nothing extra: the connection may be reused.
    var isClean: Bool { buffered == 0 }

    /// The next final (non-1xx) response head.
    mutating func readHead(method: String) async throws(TransportError) -> HTTP1Wire.ResponseHead {
        while true {
            var end: Int? = HTTP1Wire.headEnd(in: buffer[start...])
            while end == nil {
                guard buffered <= HTTP1Wire.maxHeadBytes else { throw HTTP1Wire.malformed("head larger than 64 KiB") }
                guard try await fill() else {
                    throw received == 0 ? .connectionLost("connection closed before a response")
                                        : HTTP1Wire.malformed("connection closed inside the head")
                }
                end = HTTP1Wire.headEnd(in: buffer[start...])
            }
            let headEnd = end ?? start
            let head = try HTTP1Wire.parseHead(buffer[start..<headEnd], requestMethod: method)
            start = headEnd
            if !head.isInterim { return head }
        }
    }

    /// The next piece of the body, nil at its end.
    mutating func nextBodyChunk(_ framing: inout BodyProgress) async throws(TransportError) -> Data? {
        switch framing {
        case .done:
            return nil
        case .remaining(let n):
            guard let d = try await take(atMost: n) else {
                throw .connectionLost("connection closed with \(n) body bytes outstanding")
            }
            framing = n - d.count == 0 ? .done : .remaining(n - d.count)
            return d
        case .untilClose:
            guard let d = try await take(atMost: scratch.bytes.count) else { framing = .done; return nil }
            return d
        case .chunkHeader:
            let line = try await readLine()
            let size = try HTTP1Wire.chunkSize(line)
            if size == 0 {
                // Trailers, if any, end with a blank line.
                while try await !readLine().isEmpty {}
                framing = .done
                return nil
            }
            framing = .chunk(size)
            return try await nextBodyChunk(&framing)
        case .chunk(let n):
            guard let d = try await take(atMost: n) else { throw .connectionLost("connection closed inside a chunk") }
            if n - d.count == 0 {
                guard try await readLine().isEmpty else { throw HTTP1Wire.malformed("chunk not followed by CRLF") }
                framing = .chunkHeader
            } else {
                framing = .chunk(n - d.count)
            }
            return d
        }
    }

    /// Where the body reader stands.
    enum BodyProgress: Equatable {
        case done
        case remaining(Int)
        case untilClose
        case chunkHeader
        case chunk(Int)

        init(_ framing: HTTP1Wire.Framing) {
            switch framing {
            case .none: self = .done
            case .length(let n): self = .remaining(n)
            case .chunked: self = .chunkHeader
            case .untilClose: self = .untilClose
            }
        }
    }

    /// Up to `n` bytes: buffered ones first, else straight from the socket. Nil at end of stream.
    private mutating func take(atMost n: Int) async throws(TransportError) -> Data? {
        if buffered > 0 {
            let k = min(n, buffered)
            let d = Data(buffer[start..<start + k])
            start += k
            if start == buffer.count { buffer.removeAll(keepingCapacity: true); start = 0 }
            return d
        }
        let want = min(n, scratch.bytes.count)
        let got = try await connection.read(into: UnsafeMutableRawBufferPointer(rebasing: scratch.bytes[0..<want]))
        guard got > 0 else { return nil }
        received += got
        return Data(UnsafeRawBufferPointer(rebasing: scratch.bytes[0..<got]))
    }

    /// One CRLF-terminated line (without the CRLF), for chunk sizes and trailers.
    private mutating func readLine() async throws(TransportError) -> ArraySlice<UInt8> {
        while true {
            if let lf = buffer[start...].firstIndex(of: 0x0A) {
                var end = lf
                if end > start, buffer[end - 1] == 0x0D { end -= 1 }
                let line = buffer[start..<end]
                start = lf + 1
                return line
            }
            guard buffered <= 4096 else { throw HTTP1Wire.malformed("chunk line too long") }
            guard try await fill() else { throw .connectionLost("connection closed inside chunk framing") }
        }
    }

    /// Appends what the socket has to the buffer; false at end of stream.
    private mutating func fill() async throws(TransportError) -> Bool {
        if start > 0, start == buffer.count { buffer.removeAll(keepingCapacity: true); start = 0 }
        let got = try await connection.read(into: scratch.bytes)
        guard got > 0 else { return false }
        received += got
        buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch.bytes[0..<got]))
        return true
    }
}

/// The reader's receive buffer: read(2) writes into it directly, across suspensions of one task.
private final class Scratch {
    let bytes: UnsafeMutableRawBufferPointer
    init(count: Int) { bytes = .allocate(byteCount: count, alignment: 16) }
    deinit { bytes.deallocate() }
}
