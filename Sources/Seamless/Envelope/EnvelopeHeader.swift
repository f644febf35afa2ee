import SeamlessCrypto

/// The protected header of a Seamless envelope (JWS, RFC 7515 §4).
public struct EnvelopeHeader: Sendable, Hashable {
    /// The content type every Seamless envelope carries: zlib-compressed canonical JSON.
    public static let contentType = "json+zlib"

    /// `alg`: the signature algorithm.
    public var algorithm: SignatureAlgorithm
    /// `kid`: the signing key's id.
    public var keyID: String
    /// `typ`: what the envelope carries.
    public var type: EnvelopeType
    /// `cty`: always ``contentType``.
    public var contentType: String
    /// `iat`: seconds since the Unix epoch when the envelope was sealed.
    public var issuedAt: Int64
    /// `nonce`: base64url of 16 random bytes, unique per envelope, for replay detection.
    public var nonce: String
    /// `iss`: the sending node.
    public var issuer: String
    /// `aud`: the receiving node.
    public var audience: String

    /// Creates a header.
    public init(
        algorithm: SignatureAlgorithm,
        keyID: String,
        type: EnvelopeType,
        contentType: String = EnvelopeHeader.contentType,
        issuedAt: Int64,
        nonce: String,
        issuer: String,
        audience: String
    ) {
        self.algorithm = algorithm
        self.keyID = keyID
        self.type = type
        self.contentType = contentType
        self.issuedAt = issuedAt
        self.nonce = nonce
        self.issuer = issuer
        self.audience = audience
    }

    /// The header as a JSON object.
    public var jsonValue: JSONValue {
        .object([
            "alg": .string(algorithm.jwsName),
            "kid": .string(keyID),
            "typ": .string(type.rawValue),
            "cty": .string(contentType),
            "iat": .number(Double(issuedAt)),
            "nonce": .string(nonce),
            "iss": .string(issuer),
            "aud": .string(audience),
        ])
    }

    /// Reads a decoded protected header into its members without judging their values: `typ` is checked
    /// against the expected types only once the signature has verified. `alg` is resolved by the opener first.
    static func parse(_ value: JSONValue, algorithm: SignatureAlgorithm) throws(EnvelopeError) -> UnverifiedHeader {
        guard case .object(let members) = value else {
            throw EnvelopeError(.malformed, "the protected header is \(value.typeName), not a JSON object")
        }
        if members["crit"] != nil {
            throw EnvelopeError(
                .malformed,
                "the protected header has 'crit', but Seamless understands no JWS extensions"
            )
        }
        func string(_ name: String) throws(EnvelopeError) -> String {
            guard let member = members[name] else {
                throw EnvelopeError(.malformed, "the protected header has no '\(name)'")
            }
            guard case .string(let text) = member else {
                throw EnvelopeError(.malformed, "the protected header's '\(name)' is \(member.typeName), not a string")
            }
            return text
        }
        guard let iatValue = members["iat"] else {
            throw EnvelopeError(.malformed, "the protected header has no 'iat'")
        }
        guard let issuedAt = iatValue.integerValue else {
            let what = iatValue.numberValue == nil ? iatValue.typeName : "not a whole number of seconds"
            throw EnvelopeError(.malformed, "the protected header's 'iat' is \(what)")
        }
        return UnverifiedHeader(
            algorithm: algorithm,
            keyID: try string("kid"),
            type: try string("typ"),
            contentType: try string("cty"),
            issuedAt: issuedAt,
            nonce: try string("nonce"),
            issuer: try string("iss"),
            audience: try string("aud")
        )
    }
}

/// A protected header as read, before the signature over it has been checked.
struct UnverifiedHeader {
    let algorithm: SignatureAlgorithm
    let keyID: String
    let type: String
    let contentType: String
    let issuedAt: Int64
    let nonce: String
    let issuer: String
    let audience: String
}
