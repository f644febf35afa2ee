/// Standard padded base64 (RFC 4648 §4), for PEM bodies and signed-note signatures.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Encodes `bytes` as padded standard base64.
    public static func encode(_ bytes: [UInt8]) -> String {
        let unpadded = Base64URL.encodedLength(of: bytes.count)
        let padded = (bytes.count + 2) / 3 * 4
        return bytes.withUnsafeBytes { input in
            String(unsafeUninitializedCapacity: padded) { output in
                let raw = UnsafeMutableRawBufferPointer(output)
                Base64URL.encode(input, into: raw, alphabet: alphabet)
                for index in unpadded..<padded {
                    raw[index] = UInt8(ascii: "=")
                }
                return padded
            }
        }
    }

    /// Decodes padded standard base64; `nil` for anything else (including non-canonical padding bits).
    public static func decode(_ text: String) -> [UInt8]? {
        guard text.utf8.count % 4 == 0 else { return nil }
        var urlSafe = ""
        urlSafe.reserveCapacity(text.utf8.count)
        var padding = 0
        for character in text.unicodeScalars {
            switch character {
            case "+": urlSafe.unicodeScalars.append("-")
            case "/": urlSafe.unicodeScalars.append("_")
            case "=": padding += 1
            case "-", "_": return nil
            default:
                guard padding == 0 else { return nil }
                urlSafe.unicodeScalars.append(character)
            }
        }
        guard padding <= 2 else { return nil }
        return try? Base64URL.decode(urlSafe)
    }
}
