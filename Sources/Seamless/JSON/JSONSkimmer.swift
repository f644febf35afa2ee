/// Validates a JSON text as strictly as ``JSONParser`` does — structure, escapes, UTF-8, numbers, depth —
/// without building values, and hands back where chosen top-level members lie. The audit verifier reads
/// a million entries this way: it needs every entry checked but only two members of each.
struct JSONSkimmer {
    private let bytes: UnsafeRawBufferPointer
    private var index = 0
    private let maxDepth: Int
    /// Require every object's keys in strictly increasing byte order (canonical JSON with ASCII keys),
    /// which also rules out duplicates without remembering every key.
    private var sortedKeys = false

    /// The byte ranges of the values of the top-level members named in `wanted` (string values without
    /// their quotes), or `nil` if the text is not strict JSON or not an object.
    static func topLevelMembers(
        of bytes: UnsafeRawBufferPointer, wanted: [StaticString], maxDepth: Int = 64, sortedKeys: Bool = false
    ) -> [Range<Int>?]? {
        var found = [Range<Int>?](repeating: nil, count: wanted.count)
        var skimmer = JSONSkimmer(bytes: bytes, maxDepth: maxDepth)
        skimmer.sortedKeys = sortedKeys
        let valid = skimmer.members { skimmer, key, value in
            for (position, name) in wanted.enumerated() where skimmer.matches(key, name) {
                let isString = bytes[value.lowerBound] == UInt8(ascii: "\"")
                found[position] = isString ? (value.lowerBound + 1)..<(value.upperBound - 1) : value
            }
        }
        return valid ? found : nil
    }

    /// The byte ranges of the top-level keys (without their quotes, escapes as written), in the order they
    /// appear, or `nil` if the text is not strict JSON or not an object.
    static func topLevelKeys(
        of bytes: UnsafeRawBufferPointer, maxDepth: Int = 64, sortedKeys: Bool = false
    ) -> [Range<Int>]? {
        var keys: [Range<Int>] = []
        var skimmer = JSONSkimmer(bytes: bytes, maxDepth: maxDepth)
        skimmer.sortedKeys = sortedKeys
        return skimmer.members { _, key, _ in keys.append(key) } ? keys : nil
    }

    /// Skims a whole text that must be one object, handing each top-level member's key and value ranges to
    /// `visit`; false if the text is not strict JSON or not an object.
    private mutating func members(_ visit: (JSONSkimmer, Range<Int>, Range<Int>) -> Void) -> Bool {
        skipWhitespace()
        guard peek == UInt8(ascii: "{") else { return false }
        index += 1
        skipWhitespace()
        var keys = SeenKeys()
        if peek == UInt8(ascii: "}") {
            index += 1
        } else {
            while true {
                skipWhitespace()
                guard let key = string(), accept(key, after: &keys) else { return false }
                skipWhitespace()
                guard peek == UInt8(ascii: ":") else { return false }
                index += 1
                skipWhitespace()
                let start = index
                guard value(depth: 1) else { return false }
                visit(self, key, start..<index)
                skipWhitespace()
                guard let next = peek else { return false }
                index += 1
                if next == UInt8(ascii: "}") { break }
                guard next == UInt8(ascii: ",") else { return false }
            }
        }
        skipWhitespace()
        return index == bytes.count
    }

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = peek, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    /// The keys of one object seen so far: in sorted mode only the last one, so no list is allocated.
    struct SeenKeys {
        var last: Range<Int>?
        var all: [Range<Int>] = []
    }

    /// Duplicate keys are refused, as the strict parser does; sorted mode also refuses keys out of order.
    private func accept(_ key: Range<Int>, after seen: inout SeenKeys) -> Bool {
        if sortedKeys {
            if let last = seen.last, !precedes(last, key) { return false }
            seen.last = key
            return true
        }
        if seen.all.contains(where: { equal($0, key) }) { return false }
        seen.all.append(key)
        return true
    }

    private func precedes(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
        UnsafeRawBufferPointer(rebasing: bytes[a]).lexicographicallyPrecedes(UnsafeRawBufferPointer(rebasing: bytes[b]))
    }

    private func equal(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
        a.count == b.count && !zip(a, b).contains { bytes[$0] != bytes[$1] }
    }

    private func matches(_ key: Range<Int>, _ name: StaticString) -> Bool {
        guard key.count == name.utf8CodeUnitCount else { return false }
        let start = name.utf8Start
        return !key.enumerated().contains { bytes[$1] != start[$0] }
    }

    private mutating func value(depth: Int) -> Bool {
        guard depth <= maxDepth, let byte = peek else { return false }
        switch byte {
        case UInt8(ascii: "\""): return string() != nil
        case UInt8(ascii: "{"): return container(close: UInt8(ascii: "}"), depth: depth, keyed: true)
        case UInt8(ascii: "["): return container(close: UInt8(ascii: "]"), depth: depth, keyed: false)
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return number()
        }
    }

    private mutating func container(close: UInt8, depth: Int, keyed: Bool) -> Bool {
        index += 1
        skipWhitespace()
        if peek == close {
            index += 1
            return true
        }
        var keys = SeenKeys()
        while true {
            skipWhitespace()
            if keyed {
                guard let key = string(), accept(key, after: &keys) else { return false }
                skipWhitespace()
                guard peek == UInt8(ascii: ":") else { return false }
                index += 1
                skipWhitespace()
            }
            guard value(depth: depth + 1) else { return false }
            skipWhitespace()
            guard let next = peek else { return false }
            index += 1
            if next == close { return true }
            guard next == UInt8(ascii: ",") else { return false }
        }
    }

    private mutating func literal(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[index + offset] != text.utf8Start[offset] { return false }
        index += count
        return true
    }

    /// A string; returns the range of its content (without quotes).
    private mutating func string() -> Range<Int>? {
        guard peek == UInt8(ascii: "\"") else { return nil }
        index += 1
        let start = index
        var ascii = true
        while true {
            // Eight plain ASCII bytes at a time (no quote, backslash, control or non-ASCII byte among them).
            while index + 8 <= bytes.count,
                JSONBytes.isPlain(bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            {
                index += 8
            }
            guard let byte = peek else { break }
            switch byte {
            case UInt8(ascii: "\""):
                let content = start..<index
                index += 1
                if !ascii, String(validating: UnsafeRawBufferPointer(rebasing: bytes[content]), as: UTF8.self) == nil {
                    return nil
                }
                return content
            case UInt8(ascii: "\\"):
                guard index + 1 < bytes.count else { return nil }
                let escape = bytes[index + 1]
                if escape == UInt8(ascii: "u") {
                    guard index + 6 <= bytes.count,
                        (2..<6).allSatisfy({ Self.isHex(bytes[index + $0]) })
                    else { return nil }
                    // Surrogates must pair: leave that to the full parser's rules by refusing lone ones here.
                    let high = (2..<6).reduce(0) { $0 << 4 | Self.hexValue(bytes[index + $1]) }
                    if (0xDC00...0xDFFF).contains(high) { return nil }
                    if (0xD800...0xDBFF).contains(high) {
                        guard index + 12 <= bytes.count, bytes[index + 6] == UInt8(ascii: "\\"),
                            bytes[index + 7] == UInt8(ascii: "u"),
                            (8..<12).allSatisfy({ Self.isHex(bytes[index + $0]) })
                        else { return nil }
                        let low = (8..<12).reduce(0) { $0 << 4 | Self.hexValue(bytes[index + $1]) }
                        guard (0xDC00...0xDFFF).contains(low) else { return nil }
                        index += 12
                    } else {
                        index += 6
                    }
                } else {
                    guard [0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74].contains(escape) else { return nil }
                    index += 2
                }
            case 0..<0x20:
                return nil
            default:
                if byte >= 0x80 { ascii = false }
                index += 1
            }
        }
        return nil
    }

    private mutating func number() -> Bool {
        let start = index
        if peek == UInt8(ascii: "-") { index += 1 }
        guard let first = peek, Self.isDigit(first) else { return false }
        index += 1
        if first == UInt8(ascii: "0"), let next = peek, Self.isDigit(next) { return false }
        while let byte = peek, Self.isDigit(byte) { index += 1 }
        if peek == UInt8(ascii: ".") {
            index += 1
            guard let byte = peek, Self.isDigit(byte) else { return false }
            while let byte = peek, Self.isDigit(byte) { index += 1 }
        }
        if let byte = peek, byte | 0x20 == UInt8(ascii: "e") {
            index += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
            guard let digit = peek, Self.isDigit(digit) else { return false }
            while let byte = peek, Self.isDigit(byte) { index += 1 }
        }
        // Reject numbers a double cannot hold, too large or too small, as the parser does (only long numbers or
        // exponents can be).
        if index - start > 15 || bytes[start..<index].contains(where: { $0 | 0x20 == UInt8(ascii: "e") }) {
            let text = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
            guard let value = Double(String(decoding: text, as: UTF8.self)), value.isFinite else { return false }
            return value != 0 || !JSONBytes.hasNonZeroDigit(beforeExponentIn: text)
        }
        return true
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    private static func isHex(_ byte: UInt8) -> Bool { isDigit(byte) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x66) }
    private static func hexValue(_ byte: UInt8) -> Int {
        isDigit(byte) ? Int(byte - 0x30) : Int((byte | 0x20) - 0x61 + 10)
    }
}
