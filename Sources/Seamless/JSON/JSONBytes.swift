/// Byte-level helpers shared by the readers that scan JSON text without building values.
enum JSONBytes {
    /// Whether all eight bytes of `word` are printable ASCII other than `"` and `\\`: such a word can be
    /// skipped inside a JSON string in one step (SWAR zero-byte tests, no false negatives).
    @inline(__always)
    static func isPlain(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let control = (word &- ones &* 0x20) & ~word
        let special = word | control | ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
        return special & (ones &* 0x80) == 0
    }

    /// Whether a number's digits before its exponent are not all zero: a number that is not zero, even if
    /// it converts to 0 for being too small for a double.
    static func hasNonZeroDigit(beforeExponentIn text: UnsafeRawBufferPointer) -> Bool {
        for byte in text {
            if byte | 0x20 == UInt8(ascii: "e") { return false }
            if byte >= UInt8(ascii: "1") && byte <= UInt8(ascii: "9") { return true }
        }
        return false
    }
}
