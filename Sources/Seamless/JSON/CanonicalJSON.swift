import Foundation

/// Canonical JSON as RFC 8785 (JCS) defines it: object members sorted by their UTF-16 code units, no
/// insignificant whitespace, minimal string escaping, numbers as ECMAScript prints them. Two parties that
/// hold the same value produce the same bytes, so hashes and signatures over them agree.
public enum CanonicalJSON {
    /// The canonical bytes of `value`.
    public static func serialize(_ value: JSONValue) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        write(value, to: &output)
        return output
    }

    /// The canonical bytes of any `Encodable` value, encoded straight into a ``JSONValue`` and serialised.
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        // The messages of every exchange and the audit events build their JSON by hand, the same as
        // `JSONValueEncoder` would.
        if let value = value as? any JSONValueEncodable {
            var output: [UInt8] = []
            value.writeCanonical(to: &output)
            return output
        }
        return serialize(try JSONValueEncoder.encode(value))
    }

    /// The canonical bytes of an `Encodable` value encoded with `encoder` (for its strategies), then
    /// canonicalised.
    public static func encode<T: Encodable>(_ value: T, encoder: JSONEncoder) throws -> [UInt8] {
        serialize(try JSONParser().parse(try encoder.encode(value)))
    }

    /// Canonicalises a JSON text: parses it strictly, then serialises it.
    public static func canonicalize(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> [UInt8] {
        serialize(try JSONParser().parse(bytes))
    }

    /// Appends the canonical bytes of `value` to `output`.
    public static func write(_ value: JSONValue, to output: inout [UInt8]) {
        switch value {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let flag):
            output.append(contentsOf: flag ? "true".utf8 : "false".utf8)
        case .number(let number):
            writeNumber(number, to: &output)
        case .string(let string):
            writeString(string, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                write(element, to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            // Sorted as pairs: no second hash lookup of each key.
            for (position, member) in members.sorted(by: { utf16Precedes($0.key, $1.key) }).enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                writeString(member.key, to: &output)
                output.append(UInt8(ascii: ":"))
                write(member.value, to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// RFC 8785 §3.2.3: order by UTF-16 code units. UTF-8 byte order agrees with it except between
    /// U+E000…U+FFFF and supplementary characters, so compare bytes until a non-ASCII difference.
    static func utf16Precedes(_ lhs: String, _ rhs: String) -> Bool {
        var left = lhs.utf8.makeIterator()
        var right = rhs.utf8.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return false
            case (nil, _): return true
            case (_, nil): return false
            case (let a?, let b?):
                if a == b { continue }
                if a < 0x80 && b < 0x80 { return a < b }
                return lhs.utf16.lexicographicallyPrecedes(rhs.utf16)
            }
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func writeString(_ string: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { bytes in
            var runStart = 0
            for (position, byte) in bytes.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<position]))
                runStart = position + 1
                switch byte {
                case 0x22: output.append(contentsOf: [0x5C, 0x22])
                case 0x5C: output.append(contentsOf: [0x5C, 0x5C])
                case 0x08: output.append(contentsOf: [0x5C, UInt8(ascii: "b")])
                case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0C: output.append(contentsOf: [0x5C, UInt8(ascii: "f")])
                case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                default:
                    output.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30])
                    output.append(hexDigits[Int(byte >> 4)])
                    output.append(hexDigits[Int(byte & 0xF)])
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        output.append(UInt8(ascii: "\""))
    }

    /// ECMAScript Number.prototype.toString for finite doubles (RFC 8785 §3.2.2.3), from Swift's
    /// shortest round-trip digits. NaN and infinities, which the parser never produces but a caller
    /// could build, are written as `null`, as ECMAScript's JSON.stringify does.
    static func writeNumber(_ number: Double, to output: inout [UInt8]) {
        guard number.isFinite else {
            output.append(contentsOf: "null".utf8)
            return
        }
        if number == 0 {
            output.append(UInt8(ascii: "0"))
            return
        }
        if number.rounded(.towardZero) == number && abs(number) < 1e15 {
            output.append(contentsOf: String(Int64(number)).utf8)
            return
        }
        // Split Swift's shortest representation ("1.2345e-07", "123.45") into digits and an exponent n
        // such that the value is 0.d1d2…dk × 10^n.
        let text = Array(String(abs(number)).utf8)
        var digits: [UInt8] = []
        var pointPosition: Int?
        var exponent = 0
        var index = 0
        while index < text.count {
            let byte = text[index]
            if byte == UInt8(ascii: ".") {
                pointPosition = digits.count
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                exponent = Int(String(decoding: text[(index + 1)...], as: UTF8.self)) ?? 0
                break
            } else {
                digits.append(byte)
            }
            index += 1
        }
        var n = (pointPosition ?? digits.count) + exponent
        while digits.first == UInt8(ascii: "0") {
            digits.removeFirst()
            n -= 1
        }
        while digits.last == UInt8(ascii: "0") {
            digits.removeLast()
        }
        let k = digits.count
        if number < 0 { output.append(UInt8(ascii: "-")) }
        if k <= n && n <= 21 {
            output.append(contentsOf: digits)
            output.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: n - k))
        } else if 0 < n && n <= 21 {
            output.append(contentsOf: digits[..<n])
            output.append(UInt8(ascii: "."))
            output.append(contentsOf: digits[n...])
        } else if -6 < n && n <= 0 {
            output.append(contentsOf: "0.".utf8)
            output.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -n))
            output.append(contentsOf: digits)
        } else {
            output.append(digits[0])
            if k > 1 {
                output.append(UInt8(ascii: "."))
                output.append(contentsOf: digits[1...])
            }
            output.append(UInt8(ascii: "e"))
            output.append(n - 1 >= 0 ? UInt8(ascii: "+") : UInt8(ascii: "-"))
            output.append(contentsOf: String(abs(n - 1)).utf8)
        }
    }
}
