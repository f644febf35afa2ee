/// A strict RFC 8259 parser for untrusted input: UTF-8 only, no duplicate keys, no lone surrogates
/// (I-JSON, RFC 7493), finite numbers, a nesting limit, and an error that names the byte and the path.
public struct JSONParser: Sendable {
    /// The deepest nesting of arrays and objects accepted.
    public var maxDepth: Int

    /// Creates a parser.
    public init(maxDepth: Int = 128) {
        self.maxDepth = maxDepth
    }

    /// Parses one JSON text; whitespace may surround it, nothing else may follow it.
    public func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        let result: Result<JSONValue, JSONParseError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONParseError) -> JSONValue in try parse(UnsafeRawBufferPointer(buffer)) }
        }
        if let result { return try result.get() }
        return try parse(Array(bytes))
    }

    /// Parses one JSON text from raw bytes.
    public func parse(_ buffer: UnsafeRawBufferPointer) throws(JSONParseError) -> JSONValue {
        var reader = Reader(bytes: buffer, maxDepth: maxDepth)
        reader.skipWhitespace()
        let value = try reader.parseValue(depth: 0)
        reader.skipWhitespace()
        if reader.index < buffer.count {
            throw reader.error("unexpected \(reader.describeCurrent()) after the JSON value")
        }
        return value
    }
}

private struct Reader {
    let bytes: UnsafeRawBufferPointer
    let maxDepth: Int
    var index = 0

    init(bytes: UnsafeRawBufferPointer, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    func error(_ reason: String, at offset: Int? = nil) -> JSONParseError {
        JSONParseError(offset: offset ?? index, path: [], reason: reason)
    }

    func describeCurrent() -> String {
        guard index < bytes.count else { return "end of input" }
        let byte = bytes[index]
        if byte >= 0x21 && byte <= 0x7E {
            return "'\(Character(Unicode.Scalar(byte)))'"
        }
        return "byte 0x" + String(byte, radix: 16, uppercase: true)
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else {
            throw error("the JSON text ends where a value was expected")
        }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error("unexpected \(describeCurrent()) where a value was expected")
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count,
            memcmpEqual(bytes.baseAddress! + index, literal.utf8Start, count)
        else {
            throw error("unexpected \(describeCurrent()) where a value was expected")
        }
        index += count
    }

    private func memcmpEqual(_ a: UnsafeRawPointer, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        for offset in 0..<count where a.load(fromByteOffset: offset, as: UInt8.self) != b[offset] {
            return false
        }
        return true
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else {
            throw error("objects and arrays nest deeper than \(maxDepth) levels")
        }
        index += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw error("expected a member name in double quotes, found \(describeCurrent())")
            }
            let keyOffset = index
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw error("expected ':' after member name \"\(key)\", found \(describeCurrent())")
            }
            index += 1
            skipWhitespace()
            let value: JSONValue
            do {
                value = try parseValue(depth: depth)
            } catch {
                var error = error
                error.path.insert(.key(key), at: 0)
                throw error
            }
            if members.updateValue(value, forKey: key) != nil {
                throw self.error("member name \"\(key)\" appears twice in one object", at: keyOffset)
            }
            skipWhitespace()
            guard index < bytes.count else {
                throw error("the JSON text ends inside an object")
            }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return .object(members)
            default: throw error("expected ',' or '}' in an object, found \(describeCurrent())")
            }
        }
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else {
            throw error("objects and arrays nest deeper than \(maxDepth) levels")
        }
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            do {
                elements.append(try parseValue(depth: depth))
            } catch {
                var error = error
                error.path.insert(.index(elements.count), at: 0)
                throw error
            }
            skipWhitespace()
            guard index < bytes.count else {
                throw error("the JSON text ends inside an array")
            }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return .array(elements)
            default: throw error("expected ',' or ']' in an array, found \(describeCurrent())")
            }
        }
    }

    mutating func parseString() throws(JSONParseError) -> String {
        let start = index
        index += 1
        let runStart = index
        // Fast path: no escapes, so the bytes between the quotes are the string.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let run = UnsafeRawBufferPointer(rebasing: bytes[runStart..<index])
                index += 1
                return try makeString(run, start: runStart)
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 {
                throw error("a control character (0x\(String(byte, radix: 16))) must be escaped inside a string")
            }
            index += 1
        }
        guard index < bytes.count else {
            throw error("the string that starts at byte \(start) is not closed", at: start)
        }
        var decoded = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[runStart..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let string = String(validating: decoded, as: UTF8.self) else {
                    throw error("the string that starts at byte \(start) is not valid UTF-8", at: start)
                }
                return string
            case UInt8(ascii: "\\"):
                try parseEscape(into: &decoded)
            case 0..<0x20:
                throw error("a control character (0x\(String(byte, radix: 16))) must be escaped inside a string")
            default:
                decoded.append(byte)
                index += 1
            }
        }
        throw error("the string that starts at byte \(start) is not closed", at: start)
    }

    func makeString(_ buffer: UnsafeRawBufferPointer, start: Int) throws(JSONParseError) -> String {
        // Most strings are ASCII, which is valid UTF-8 by construction; the general validator is far slower.
        if isASCII(buffer) {
            return String(decoding: buffer, as: UTF8.self)
        }
        guard let string = String(validating: buffer, as: UTF8.self) else {
            throw error("the string that starts at byte \(start - 1) is not valid UTF-8", at: start - 1)
        }
        return string
    }

    mutating func parseEscape(into output: inout [UInt8]) throws(JSONParseError) {
        let escapeStart = index
        index += 1
        guard index < bytes.count else {
            throw error("the JSON text ends inside an escape sequence", at: escapeStart)
        }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""): output.append(0x22)
        case UInt8(ascii: "\\"): output.append(0x5C)
        case UInt8(ascii: "/"): output.append(0x2F)
        case UInt8(ascii: "b"): output.append(0x08)
        case UInt8(ascii: "f"): output.append(0x0C)
        case UInt8(ascii: "n"): output.append(0x0A)
        case UInt8(ascii: "r"): output.append(0x0D)
        case UInt8(ascii: "t"): output.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try parseHex4(escapeStart: escapeStart)
            if (0xD800...0xDBFF).contains(scalar) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                else {
                    throw error(
                        "\\u\(String(scalar, radix: 16)) is a high surrogate without its low half", at: escapeStart)
                }
                index += 2
                let low = try parseHex4(escapeStart: escapeStart)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw error(
                        "\\u\(String(scalar, radix: 16)) is a high surrogate without its low half", at: escapeStart)
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw error("\\u\(String(scalar, radix: 16)) is a lone low surrogate", at: escapeStart)
            }
            guard let unicode = Unicode.Scalar(scalar) else {
                throw error("\\u escape is not a Unicode scalar", at: escapeStart)
            }
            output.append(contentsOf: UTF8.encode(unicode)!)
        default:
            throw error("'\\\(Character(Unicode.Scalar(byte)))' is not a JSON escape", at: escapeStart)
        }
    }

    mutating func parseHex4(escapeStart: Int) throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else {
            throw error("the \\u escape is truncated", at: escapeStart)
        }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("the \\u escape needs four hex digits", at: escapeStart)
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    mutating func parseNumber() throws(JSONParseError) -> Double {
        let start = index
        var isInteger = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else {
            throw error("a number needs digits after '-'", at: start)
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) {
                throw error("numbers must not have leading zeros", at: start)
            }
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw error("a number needs digits after '.'", at: start)
            }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw error("a number needs digits in its exponent", at: start)
            }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        let text = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
        // Integers of up to 15 digits are exact in a double: skip the general conversion.
        if isInteger && text.count <= 16 {
            var value: Int64 = 0
            var negative = false
            for byte in text {
                if byte == UInt8(ascii: "-") { negative = true } else { value = value * 10 + Int64(byte - 0x30) }
            }
            if text.count - (negative ? 1 : 0) <= 15 {
                return Double(negative ? -value : value)
            }
        }
        // Out of range either way: too large for a double, or not zero but too small for one (`1e-400`,
        // which would otherwise read as 0 — JSONDecoder refuses both).
        guard let value = Double(String(decoding: text, as: UTF8.self)), value.isFinite,
            value != 0 || !JSONBytes.hasNonZeroDigit(beforeExponentIn: text)
        else {
            throw error("the number \(String(decoding: text.prefix(40), as: UTF8.self)) is out of range", at: start)
        }
        return value
    }

    /// Whether every byte is below 0x80, checked eight bytes at a time.
    func isASCII(_ buffer: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        var accumulated: UInt64 = 0
        while index + 8 <= buffer.count {
            accumulated |= buffer.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < buffer.count {
            accumulated |= UInt64(buffer[index])
            index += 1
        }
        return accumulated & 0x8080_8080_8080_8080 == 0
    }

    @inline(__always)
    func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
