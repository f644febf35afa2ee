/// Node (department) ids: `[a-z0-9][a-z0-9.-]{1,62}`, e.g. `gov.civil-affairs`.
public enum NodeID {
    /// Whether `text` is a well-formed node id.
    public static func isValid(_ text: String) -> Bool {
        let bytes = text.utf8
        guard (2...63).contains(bytes.count), let first = bytes.first, isLowerAlphanumeric(first) else {
            return false
        }
        return bytes.dropFirst().allSatisfy {
            isLowerAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-")
        }
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }
}
