import Foundation

/// The lines of a JSON Lines file (`entries.jsonl`), as byte ranges of it: no line is copied.
struct EntryLines {
    /// Each line without its newline.
    var ranges: [Range<Int>] = []
    /// Whether the file ends with a newline (if not, its last line may be cut off).
    var endsWithNewline = true

    init(_ file: UnsafeRawBufferPointer) {
        var start = 0
        while start < file.count, let base = file.baseAddress {
            guard let newline = memchr(base + start, 0x0A, file.count - start) else {
                ranges.append(start..<file.count)
                endsWithNewline = false
                return
            }
            let end = base.distance(to: UnsafeRawPointer(newline))
            ranges.append(start..<end)
            start = end + 1
        }
    }
}

/// Lets `DispatchQueue.concurrentPerform` share buffers of which each iteration touches its own part alone.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
