import Foundation
import SeamlessCrypto

/// An envelope that verified: who signed it, its header, and the inflated canonical JSON payload.
public struct OpenedEnvelope: Sendable {
    /// The verified protected header.
    public let header: EnvelopeHeader
    /// The trusted key that verified the signature.
    public let signer: TrustedKey
    /// The inflated payload bytes.
    public let payload: [UInt8]

    /// The payload parsed strictly as JSON.
    /// - Throws: ``EnvelopeError/Code/badJSON``.
    public func json(maxDepth: Int = 128) throws(EnvelopeError) -> JSONValue {
        do {
            return try JSONParser(maxDepth: maxDepth).parse(payload)
        } catch {
            throw EnvelopeError(.badJSON, "the payload is not valid JSON: \(error)")
        }
    }

    /// The payload decoded as `T` after a strict JSON check. The exchange messages are read from the checked
    /// value itself, by the decoder's rules, without running `JSONDecoder`.
    /// - Throws: ``EnvelopeError/Code/badJSON`` or ``EnvelopeError/Code/malformed``.
    /// `decoder` (a plain `JSONDecoder` when nil, made only if needed) reads what has no hand-written reader.
    public func decode<T: Decodable>(_ type: T.Type, decoder: JSONDecoder? = nil) throws(EnvelopeError) -> T {
        let value = try json()
        // A decoder set up otherwise is left to the decoder.
        if let readable = T.self as? any JSONValueDecodable.Type, decoder?.readsLikeDefault ?? true,
            let read = try? readable.init(json: value) as? T
        {
            return read
        }
        // What the reader refuses is decoded again, so that a refusal is the decoder's sentence, word for word,
        // and an integer beyond 2^53, which only the text holds exactly, still reads as before.
        do {
            return try (decoder ?? JSONDecoder()).decode(type, from: Data(payload))
        } catch let error as DecodingError {
            // The same sentence a document on disk gets: the JSON path and what was expected there.
            let issue = DocumentReader.issue(for: error, documentName: "\(T.self)")
            throw EnvelopeError(.malformed, "the payload is not a valid \(T.self): \(issue.path): \(issue.message)")
        } catch {
            throw EnvelopeError(.malformed, "the payload is not a valid \(T.self): \(error)")
        }
    }
}

/// Verifies and opens envelopes addressed to one node. Deny by default: only trusted keys, only allowed
/// algorithms, and the signature is checked before the payload is decoded or inflated.
public struct EnvelopeOpener: Sendable {
    /// Which `aud` values are accepted.
    public enum AudienceCheck: Sendable, Hashable {
        /// Only envelopes addressed to this node id.
        case node(String)
        /// Any audience: for tools that inspect envelopes, never for a node serving requests.
        case any
    }

    /// Which `iat` values are accepted.
    public enum TimeCheck: Sendable, Hashable {
        /// `iat` within `maxAge` seconds in the past and `maxSkew` seconds in the future of now.
        case window(maxAge: Int64, maxSkew: Int64)
        /// No time check: for auditors opening archived envelopes.
        case ignore

        /// Five minutes back, one minute ahead.
        public static let standard = TimeCheck.window(maxAge: 300, maxSkew: 60)
    }

    /// Size limits on what an envelope may occupy before and after inflation.
    public struct Limits: Sendable, Hashable {
        /// The most bytes an envelope may have; larger ones are refused unparsed. Default 16 MiB.
        public var maxEnvelopeBytes: Int
        /// The most bytes the decoded protected header may have. Default 8 KiB.
        public var maxHeaderBytes: Int
        /// Caps on inflating the payload.
        public var inflate: InflateLimits

        /// Creates limits.
        public init(maxEnvelopeBytes: Int = 16 << 20, maxHeaderBytes: Int = 8 << 10, inflate: InflateLimits = .default)
        {
            self.maxEnvelopeBytes = maxEnvelopeBytes
            self.maxHeaderBytes = maxHeaderBytes
            self.inflate = inflate
        }

        /// The defaults.
        public static let `default` = Limits()
    }

    /// The most signatures a general-serialization envelope may carry.
    public static let maxSignatures = 8

    /// The keys signatures are checked against.
    public var trust: TrustStore
    /// The accepted audience.
    public var audience: AudienceCheck
    /// The accepted `typ` values; `nil` accepts any `seamless-<kind>+jws`.
    public var acceptedTypes: Set<EnvelopeType>?
    /// The accepted algorithms.
    public var allowedAlgorithms: Set<SignatureAlgorithm>
    /// The accepted `iat` window.
    public var time: TimeCheck
    /// Size limits.
    public var limits: Limits

    /// Creates an opener.
    public init(
        trust: TrustStore,
        audience: AudienceCheck,
        acceptedTypes: Set<EnvelopeType>? = nil,
        allowedAlgorithms: Set<SignatureAlgorithm> = Set(SignatureAlgorithm.allCases),
        time: TimeCheck = .standard,
        limits: Limits = .default
    ) {
        self.trust = trust
        self.audience = audience
        self.acceptedTypes = acceptedTypes
        self.allowedAlgorithms = allowedAlgorithms
        self.time = time
        self.limits = limits
    }

    /// Verifies `envelope` and returns its inflated payload.
    /// - Throws: ``EnvelopeError`` with the code of the first check that failed, in the order of
    ///   `Docs/ENVELOPE.md`.
    public func open(_ envelope: some Collection<UInt8>, now: Date = Date()) throws(EnvelopeError) -> OpenedEnvelope {
        guard envelope.count <= limits.maxEnvelopeBytes else {
            throw EnvelopeError(
                .tooLarge,
                "the envelope has \(envelope.count) bytes, more than the \(limits.maxEnvelopeBytes)-byte limit"
            )
        }
        return try withContiguousBytes(envelope) { bytes throws(EnvelopeError) in
            if let layout = EnvelopeLayout.scan(bytes) {
                return try open(bytes, layout, now: now)
            }
            // Escaped strings, unusual members or outright errors: the strict parser decides, and names the error.
            let (normalised, layout) = try Self.normalise(bytes)
            return try withContiguousBytes(normalised) { copy throws(EnvelopeError) in
                try open(copy, layout, now: now)
            }
        }
    }

    private func open(
        _ bytes: UnsafeRawBufferPointer, _ layout: EnvelopeLayout, now: Date
    ) throws(EnvelopeError) -> OpenedEnvelope {
        var firstFailure: EnvelopeError?
        for signature in layout.signatures {
            do {
                return try open(bytes, payload: layout.payload, signature: signature, now: now)
            } catch  where error.code == .unknownKeyID && layout.signatures.count > 1 {
                // With several signatures, one by a key this node does not know is no reason to refuse.
                firstFailure = firstFailure ?? error
            }
        }
        throw firstFailure ?? EnvelopeError(.malformed, "the envelope has no signatures")
    }

    /// Parses an envelope strictly and lays its members out in one buffer, for the envelopes
    /// ``EnvelopeLayout/scan(_:)`` leaves to the general parser.
    static func normalise(_ bytes: UnsafeRawBufferPointer) throws(EnvelopeError) -> ([UInt8], EnvelopeLayout) {
        let outer: JSONValue
        do {
            // The outer envelope is a flat object of strings; a low depth limit keeps hostile nesting cheap.
            outer = try JSONParser(maxDepth: 4).parse(bytes)
        } catch {
            throw EnvelopeError(.badJSON, "the envelope is not valid JSON: \(error)")
        }
        let parts = try parts(of: outer)
        var buffer: [UInt8] = []
        func append(_ text: String) -> Range<Int> {
            let start = buffer.count
            buffer.append(contentsOf: text.utf8)
            return start..<buffer.count
        }
        let payload = append(parts.payload)
        let signatures = parts.signatures.map { part in
            EnvelopeLayout.Signature(protected: append(part.protected), signature: append(part.signature))
        }
        return (buffer, EnvelopeLayout(payload: payload, signatures: signatures))
    }

    struct SignatureParts {
        let protected: String
        let signature: String
    }

    /// Splits flattened or general JWS JSON into its payload and signatures.
    static func parts(of outer: JSONValue) throws(EnvelopeError) -> (payload: String, signatures: [SignatureParts]) {
        guard case .object(let members) = outer else {
            throw EnvelopeError(.malformed, "the envelope is \(outer.typeName), not a JSON object")
        }
        guard let payloadValue = members["payload"] else {
            throw EnvelopeError(.malformed, "the envelope has no 'payload'")
        }
        guard case .string(let payload) = payloadValue else {
            throw EnvelopeError(.malformed, "the envelope's 'payload' is \(payloadValue.typeName), not a string")
        }
        if members["header"] != nil {
            throw EnvelopeError(
                .malformed, "the envelope has an unprotected 'header'; Seamless accepts protected headers only")
        }
        if let signaturesValue = members["signatures"] {
            if let unexpected = members.keys.first(where: { $0 != "payload" && $0 != "signatures" }) {
                throw EnvelopeError(.malformed, "the envelope has an unexpected member '\(unexpected)'")
            }
            guard case .array(let list) = signaturesValue, !list.isEmpty, list.count <= maxSignatures else {
                throw EnvelopeError(
                    .malformed,
                    "the envelope's 'signatures' must be an array of 1 to \(maxSignatures) signature objects"
                )
            }
            var signatures: [SignatureParts] = []
            for (index, entry) in list.enumerated() {
                guard case .object(let signatureMembers) = entry else {
                    throw EnvelopeError(.malformed, "signatures[\(index)] is \(entry.typeName), not an object")
                }
                signatures.append(try signatureParts(signatureMembers, where: "signatures[\(index)]"))
            }
            return (payload, signatures)
        }
        var flattened = members
        flattened["payload"] = nil
        return (payload, [try signatureParts(flattened, where: "the envelope")])
    }

    private static func signatureParts(
        _ members: [String: JSONValue], where place: String
    ) throws(EnvelopeError) -> SignatureParts {
        if members["header"] != nil {
            throw EnvelopeError(
                .malformed, "\(place) has an unprotected 'header'; Seamless accepts protected headers only")
        }
        if let unexpected = members.keys.first(where: { $0 != "protected" && $0 != "signature" }) {
            throw EnvelopeError(.malformed, "\(place) has an unexpected member '\(unexpected)'")
        }
        guard case .string(let protected)? = members["protected"] else {
            throw EnvelopeError(.malformed, "\(place) has no 'protected' string")
        }
        guard case .string(let signature)? = members["signature"] else {
            throw EnvelopeError(.malformed, "\(place) has no 'signature' string")
        }
        return SignatureParts(protected: protected, signature: signature)
    }

    /// Checks one signature entry and, if it holds, opens the payload. The members are base64url text at
    /// the given ranges of `bytes`.
    private func open(
        _ bytes: UnsafeRawBufferPointer,
        payload payloadRange: Range<Int>,
        signature entry: EnvelopeLayout.Signature,
        now: Date
    ) throws(EnvelopeError) -> OpenedEnvelope {
        let protectedText = UnsafeRawBufferPointer(rebasing: bytes[entry.protected])
        let payloadText = UnsafeRawBufferPointer(rebasing: bytes[payloadRange])
        guard protectedText.count <= Base64URL.encodedLength(of: limits.maxHeaderBytes) else {
            throw EnvelopeError(.tooLarge, "the protected header is larger than \(limits.maxHeaderBytes) bytes")
        }
        let headerBytes = try decodeBase64(protectedText, member: "protected")
        let headerValue: JSONValue
        do {
            headerValue = try JSONParser(maxDepth: 8).parse(headerBytes)
        } catch {
            throw EnvelopeError(.badJSON, "the protected header is not valid JSON: \(error)")
        }
        guard case .string(let algName)? = headerValue["alg"] else {
            throw EnvelopeError(.malformed, "the protected header has no 'alg' string")
        }
        guard let algorithm = SignatureAlgorithm(jwsName: algName), allowedAlgorithms.contains(algorithm) else {
            let allowed = allowedAlgorithms.map(\.jwsName).sorted().joined(separator: ", ")
            throw EnvelopeError(
                .algorithmNotAllowed, "algorithm '\(algName)' is not allowed here (allowed: \(allowed))")
        }
        let header = try EnvelopeHeader.parse(headerValue, algorithm: algorithm)
        guard let signer = trust.key(for: header.keyID) else {
            throw EnvelopeError(
                .unknownKeyID,
                "the envelope is signed with key id '\(header.keyID)', which is not among the \(trust.count) trusted keys"
            )
        }
        guard signer.publicKey.algorithm == algorithm else {
            throw EnvelopeError(
                .algorithmMismatch,
                "the envelope claims \(algorithm) but trusted key '\(header.keyID)' is a \(signer.publicKey.algorithm) key"
            )
        }
        let signature = try decodeBase64(UnsafeRawBufferPointer(rebasing: bytes[entry.signature]), member: "signature")
        // The JWS signing input: ASCII(protected) "." ASCII(payload), assembled with one allocation.
        let inputLength = protectedText.count + 1 + payloadText.count
        let signingInput = [UInt8](unsafeUninitializedCapacity: inputLength) { buffer, initialized in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            raw.copyMemory(from: protectedText)
            raw[protectedText.count] = UInt8(ascii: ".")
            UnsafeMutableRawBufferPointer(rebasing: raw[(protectedText.count + 1)...]).copyMemory(from: payloadText)
            initialized = inputLength
        }
        guard signer.publicKey.isValidSignature(signature, for: signingInput) else {
            throw EnvelopeError(
                .badSignature,
                "the \(algorithm) signature does not verify under trusted key '\(header.keyID)'"
            )
        }
        do throws(EnvelopeError) {
            let verified = try checkClaims(header, signer: signer, now: now)
            let compressed = try decodeBase64(payloadText, member: "payload")
            let payload: [UInt8]
            do {
                payload = try Zlib.decompress(compressed, limits: limits.inflate)
            } catch {
                switch error.code {
                case .outputLimitExceeded: throw EnvelopeError(.payloadTooLarge, error.reason)
                case .ratioLimitExceeded: throw EnvelopeError(.inflateRatioExceeded, error.reason)
                default: throw EnvelopeError(.corruptPayload, error.reason)
                }
            }
            return OpenedEnvelope(header: verified, signer: signer, payload: payload)
        } catch {
            var attributed = error
            attributed.verifiedKeyID = header.keyID
            throw attributed
        }
    }

    /// The checks that only mean something once the signature is known to be genuine.
    private func checkClaims(
        _ header: UnverifiedHeader, signer: TrustedKey, now: Date
    ) throws(EnvelopeError) -> EnvelopeHeader {
        guard header.contentType == EnvelopeHeader.contentType else {
            throw EnvelopeError(
                .unsupportedContentType,
                "content type '\(header.contentType)' is not '\(EnvelopeHeader.contentType)'"
            )
        }
        guard let type = EnvelopeType(rawValue: header.type) else {
            throw EnvelopeError(.wrongType, "the envelope's typ '\(header.type)' is not seamless-<kind>+jws")
        }
        if let acceptedTypes, !acceptedTypes.contains(type) {
            let expected = acceptedTypes.map(\.rawValue).sorted().joined(separator: " or ")
            throw EnvelopeError(.wrongType, "the envelope is a '\(type)', but \(expected) was expected")
        }
        if let nodeID = signer.nodeID, nodeID != header.issuer {
            throw EnvelopeError(
                .issuerMismatch,
                "the envelope says it is from '\(header.issuer)' but key '\(header.keyID)' belongs to '\(nodeID)'"
            )
        }
        if case .node(let node) = audience, header.audience != node {
            throw EnvelopeError(.wrongAudience, "the envelope is addressed to '\(header.audience)', not to '\(node)'")
        }
        let issued = Date(timeIntervalSince1970: TimeInterval(header.issuedAt))
        guard signer.isValid(at: issued) else {
            throw EnvelopeError(
                .keyNotValid,
                "trusted key '\(header.keyID)' was not valid at the envelope's iat \(header.issuedAt)"
            )
        }
        if case .window(let maxAge, let maxSkew) = time {
            let nowSeconds = Int64(now.timeIntervalSince1970.rounded(.down))
            if header.issuedAt > nowSeconds + maxSkew {
                throw EnvelopeError(
                    .notYetValid,
                    "the envelope's iat is \(header.issuedAt - nowSeconds) s in the future (allowed skew \(maxSkew) s)"
                )
            }
            if header.issuedAt < nowSeconds - maxAge {
                throw EnvelopeError(
                    .tooOld,
                    "the envelope was sealed \(nowSeconds - header.issuedAt) s ago (allowed age \(maxAge) s)"
                )
            }
        }
        return EnvelopeHeader(
            algorithm: header.algorithm,
            keyID: header.keyID,
            type: type,
            contentType: header.contentType,
            issuedAt: header.issuedAt,
            nonce: header.nonce,
            issuer: header.issuer,
            audience: header.audience
        )
    }

    private func decodeBase64(_ text: UnsafeRawBufferPointer, member: String) throws(EnvelopeError) -> [UInt8] {
        do {
            return try Base64URL.decode(text)
        } catch {
            throw EnvelopeError(.badBase64, "the '\(member)' member is not base64url: \(error.reason)")
        }
    }
}
