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

    /// Appends the value's canonical JSON; by default `jsonValue` serialised. A type written often (an
    /// audit event per append) writes its members directly instead.
    func writeCanonical(to output: inout [UInt8])
}

extension JSONValueEncodable {
    func writeCanonical(to output: inout [UInt8]) {
        CanonicalJSON.write(jsonValue, to: &output)
    }
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
