import Foundation

/// A `Decodable` type that also reads itself straight from a parsed ``JSONValue``, for the messages every
/// exchange reads: ``OpenedEnvelope/decode(_:decoder:)`` then parses the payload once and never runs
/// `JSONDecoder`, whose generic machinery cost several times the parse.
///
/// A conformance accepts exactly what the `Decodable` conformance accepts and gives the same value (unknown
/// members ignored, absent or null optionals nil, integers refused when fractional); the tests decode every
/// example and many broken variants both ways and compare.
protocol JSONValueDecodable: Decodable {
    /// Reads a value from `json`; errors give JSON paths from `$`, the value itself.
    init(json: JSONValue) throws(JSONReadError)
}

/// An `Encodable` type that also builds its own ``JSONValue``, for ``CanonicalJSON/encode(_:)``: no `Encoder`
/// containers on the way. A conformance gives exactly what ``JSONValueEncoder`` gives for the `Encodable`
/// conformance (absent optionals left out, integers as numbers), so canonical bytes, hashes and signatures
/// do not change.
protocol JSONValueEncodable: Encodable {
    /// The value as JSON.
    var jsonValue: JSONValue { get }
}

extension JSONValue {
    /// An array of strings.
    static func strings(_ values: [String]) -> JSONValue {
        .array(values.map { .string($0) })
    }

    /// An integer, as `Encoder`s write it into JSON: a number.
    static func integer(_ value: Int) -> JSONValue {
        .number(Double(value))
    }
}

extension JSONDecoder {
    /// Whether this decoder reads keys and numbers as a plain `JSONDecoder()` does: the only settings that
    /// could change what a ``JSONValueDecodable`` type reads (none of them holds a `Date` or `Data`).
    var readsLikeDefault: Bool {
        guard case .useDefaultKeys = keyDecodingStrategy, case .throw = nonConformingFloatDecodingStrategy else {
            return false
        }
        return !allowsJSON5 && !assumesTopLevelDictionary
    }
}

/// Where `JSONDecoder` reads JSON text differently from ``JSONParser`` in a way no ``JSONValue`` shows.
enum JSONDecoderParity {
    /// Whether `bytes` may hold a number that is not zero but too small for a double, like `1e-400`:
    /// ``JSONParser`` reads 0, while `JSONDecoder` refuses it where it decodes a `Double` (a ``JSONValue``
    /// member, say). Such a literal needs a negative exponent of three digits or a hundred zeros after the
    /// point: with fewer of both it is at least 1e-200. Strings are not told apart from numbers here, so a
    /// string holding `e-123` also says yes; that only costs the faster path.
    static func mayHoldVanishingNumber(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            func run(from start: Int, while accepted: (UInt8) -> Bool, atLeast count: Int) -> Bool {
                var index = start
                while index < buffer.count, index - start < count, accepted(buffer[index]) { index += 1 }
                return index - start >= count
            }
            func positions(of byte: UInt8, where check: (Int) -> Bool) -> Bool {
                guard let base = buffer.baseAddress else { return false }
                var start = 0
                while start < buffer.count, let found = memchr(base + start, Int32(byte), buffer.count - start) {
                    let index = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                    if check(index) { return true }
                    start = index + 1
                }
                return false
            }
            let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
            return positions(of: UInt8(ascii: "-")) { index in
                index > 0 && buffer[index - 1] | 0x20 == UInt8(ascii: "e")
                    && run(from: index + 1, while: isDigit, atLeast: 3)
            }
                || positions(of: UInt8(ascii: ".")) { index in
                    run(from: index + 1, while: { $0 == UInt8(ascii: "0") }, atLeast: 100)
                }
        }
    }
}
