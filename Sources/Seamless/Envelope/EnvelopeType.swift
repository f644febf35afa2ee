/// The `typ` of an envelope: what kind of message it carries, `seamless-<kind>+jws`.
public struct EnvelopeType: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The header value, e.g. `seamless-request+jws`.
    public let rawValue: String

    /// Accepts `seamless-<kind>+jws` with `<kind>` of lowercase letters, digits and hyphens.
    public init?(rawValue: String) {
        let prefix = "seamless-"
        let suffix = "+jws"
        guard rawValue.hasPrefix(prefix), rawValue.hasSuffix(suffix), rawValue.utf8.count <= 64 else { return nil }
        let kind = rawValue.utf8.dropFirst(prefix.utf8.count).dropLast(suffix.utf8.count)
        guard !kind.isEmpty,
            kind.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D })
        else { return nil }
        self.rawValue = rawValue
    }

    private init(known: String) {
        self.rawValue = known
    }

    /// A request from a consumer node to a provider node.
    public static let request = EnvelopeType(known: "seamless-request+jws")
    /// A provider's answer, grant or refusal.
    public static let response = EnvelopeType(known: "seamless-response+jws")
    /// A node's signed catalog.
    public static let catalog = EnvelopeType(known: "seamless-catalog+jws")
    /// The federation file, signed by the federation authority.
    public static let federation = EnvelopeType(known: "seamless-federation+jws")

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let type = EnvelopeType(rawValue: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not seamless-<kind>+jws")
            )
        }
        self = type
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
