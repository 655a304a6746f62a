import Foundation
import PDWire

/// Key-ordered pages over `GET /regions/key`, following pd-ctl's `region scan`: start at `key=""`,
/// then ask again from the `end_key` of the last region of each page until it is `""` (+∞) or
/// reaches `endKey`. Keys are upper-case hex (`format=hex`).
package struct RegionPages: AsyncSequence, Sendable {
    package typealias Element = [RegionInfo]

    let client: PDClient
    let startKey: String
    let endKey: String
    let pageSize: Int

    package struct AsyncIterator: AsyncIteratorProtocol {
        let client: PDClient
        let endKey: String
        let pageSize: Int
        var nextKey: String?

        package mutating func next() async throws -> [RegionInfo]? {
            guard let key = nextKey else { return nil }
            let page = try await client.regionPage(fromHexKey: key, toHexKey: endKey, limit: Swift.max(1, pageSize))
            guard let last = page.last else {
                nextKey = nil
                return nil
            }
            let reachedEnd = last.endKey.isEmpty || (!endKey.isEmpty && last.endKey >= endKey)
            if reachedEnd {
                nextKey = nil
            } else if last.endKey == key {
                // A page that does not advance would loop forever.
                throw PDError(kind: .malformedBody, message: "regions/key paging did not advance past key \(key)")
            } else {
                nextKey = last.endKey
            }
            return page
        }
    }

    package func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(client: client, endKey: endKey, pageSize: pageSize, nextKey: startKey)
    }
}
