import Yams

/// Where a duplicated key of a block mapping appears again. Yams reports only the first occurrence, and its
/// composed nodes are gone by then, so the text is read: the next line at the key's own indentation that
/// starts with the same key, before the mapping ends (a line indented less). A flow mapping (`{a: 1, a: 2}`)
/// is not searched; the caller then keeps the first occurrence.
enum DuplicateKey {
    static func secondOccurrence(of key: String, after first: Mark, in text: String) -> (line: Int, column: Int)? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let indent = first.column - 1
        guard first.line >= 1, indent >= 0 else { return nil }
        var index = first.line  // 0-based index of the line after the first occurrence's
        while index < lines.count {
            let line = lines[index]
            let content = line.drop { $0 == " " }
            index += 1
            if content.isEmpty || content.hasPrefix("#") { continue }
            let depth = line.count - content.count
            if depth < indent { return nil }
            if depth == indent, startsWithKey(content, key) { return (index, first.column) }
        }
        return nil
    }

    private static func startsWithKey(_ content: Substring, _ key: String) -> Bool {
        for spelling in [key, "\"\(key)\"", "'\(key)'"] where content.hasPrefix(spelling) {
            if content.dropFirst(spelling.count).drop(while: { $0 == " " }).hasPrefix(":") { return true }
        }
        return false
    }
}
