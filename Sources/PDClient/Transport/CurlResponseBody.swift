import Foundation

/// A transfer's body as the `AsyncThrowingStream` callers iterate. It is pulled, not pushed: a chunk is
/// taken from the transfer's bounded buffer only when the consumer asks, so a slow consumer pauses the
/// download instead of growing a queue.
enum CurlResponseBody {
    static func stream(_ transfer: CurlTransfer) -> AsyncThrowingStream<Data, any Error> {
        let reader = Reader(transfer)
        return AsyncThrowingStream(unfolding: { try await reader.next() })
    }

    /// Owned by the stream alone: when the consumer drops the stream (walks away mid-body, or never reads
    /// it), the reader goes and the transfer is stopped, its handle removed at once.
    private final class Reader: Sendable {
        let transfer: CurlTransfer

        init(_ transfer: CurlTransfer) { self.transfer = transfer }

        deinit { transfer.cancel() }

        func next() async throws -> Data? { try await transfer.nextChunk() }
    }
}
