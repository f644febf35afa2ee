/// Where the members of a well-formed envelope lie in its bytes.
///
/// Opening a 1 MB record batch would otherwise spend most of its overhead copying the payload member into
/// a `String` and back. Base64url text never contains `"` or `\`, so the members of an envelope written
/// the ordinary way can be located without decoding them. Anything unusual — escapes, non-ASCII, unknown
/// or repeated members, other value types — makes ``scan(_:)`` return `nil`, and the opener falls back
/// to the strict general parser, which accepts the same envelopes and names the precise error for the rest.
struct EnvelopeLayout {
    struct Signature {
        let protected: Range<Int>
        let signature: Range<Int>
    }

    let payload: Range<Int>
    let signatures: [Signature]

    static func scan(_ bytes: UnsafeRawBufferPointer) -> EnvelopeLayout? {
        var scanner = Scanner(bytes: bytes)
        guard let members = scanner.object(allowSignatures: true), scanner.atEndAfterWhitespace() else { return nil }
        guard let payload = members.payload else { return nil }
        if let signatures = members.signatures {
            guard members.protected == nil, members.signature == nil else { return nil }
            return EnvelopeLayout(payload: payload, signatures: signatures)
        }
        guard let protected = members.protected, let signature = members.signature else { return nil }
        return EnvelopeLayout(payload: payload, signatures: [Signature(protected: protected, signature: signature)])
    }

    private struct Members {
        var payload: Range<Int>?
        var protected: Range<Int>?
        var signature: Range<Int>?
        var signatures: [Signature]?
    }

    private struct Scanner {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        mutating func skipWhitespace() {
            while index < bytes.count,
                bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09
            {
                index += 1
            }
        }

        mutating func atEndAfterWhitespace() -> Bool {
            skipWhitespace()
            return index == bytes.count
        }

        mutating func consume(_ byte: UInt8) -> Bool {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        /// A string of printable ASCII without escapes; its content range.
        mutating func plainString() -> Range<Int>? {
            guard consume(UInt8(ascii: "\"")) else { return nil }
            let start = index
            while index < bytes.count {
                // Eight bytes at a time while none is a quote, a backslash, a control character or
                // non-ASCII: a 200 KB payload member costs tens of microseconds instead of hundreds.
                if index + 8 <= bytes.count,
                    JSONBytes.isPlain(bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                {
                    index += 8
                    continue
                }
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    return start..<(index - 1)
                }
                guard byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\\") else { return nil }
                index += 1
            }
            return nil
        }

        func equals(_ range: Range<Int>, _ name: StaticString) -> Bool {
            guard range.count == name.utf8CodeUnitCount else { return false }
            let start = name.utf8Start
            for offset in 0..<range.count where bytes[range.lowerBound + offset] != start[offset] {
                return false
            }
            return true
        }

        mutating func object(allowSignatures: Bool) -> Members? {
            guard consume(UInt8(ascii: "{")) else { return nil }
            var members = Members()
            if consume(UInt8(ascii: "}")) { return members }
            repeat {
                guard let key = plainString(), consume(UInt8(ascii: ":")) else { return nil }
                if equals(key, "payload"), allowSignatures, members.payload == nil {
                    members.payload = plainString()
                    if members.payload == nil { return nil }
                } else if equals(key, "protected"), members.protected == nil {
                    members.protected = plainString()
                    if members.protected == nil { return nil }
                } else if equals(key, "signature"), members.signature == nil {
                    members.signature = plainString()
                    if members.signature == nil { return nil }
                } else if equals(key, "signatures"), allowSignatures, members.signatures == nil {
                    members.signatures = signatureList()
                    if members.signatures == nil { return nil }
                } else {
                    return nil
                }
            } while consume(UInt8(ascii: ","))
            return consume(UInt8(ascii: "}")) ? members : nil
        }

        mutating func signatureList() -> [Signature]? {
            guard consume(UInt8(ascii: "[")) else { return nil }
            var list: [Signature] = []
            repeat {
                guard list.count < EnvelopeOpener.maxSignatures, let entry = object(allowSignatures: false),
                    let protected = entry.protected, let signature = entry.signature
                else { return nil }
                list.append(Signature(protected: protected, signature: signature))
            } while consume(UInt8(ascii: ","))
            return consume(UInt8(ascii: "]")) ? list : nil
        }
    }
}
