/// Node (department) ids: `[a-z0-9][a-z0-9.-]{1,62}`, e.g. `gov.civil-affairs`.
public enum NodeID {
    /// Whether `text` is a well-formed node id.
    public static func isValid(_ text: String) -> Bool {
        let bytes = text.utf8
        guard (2...63).contains(bytes.count), let first = bytes.first, Identifiers.isLowerAlphanumeric(first) else {
            return false
        }
        return bytes.dropFirst().allSatisfy {
            Identifiers.isLowerAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-")
        }
    }
}

/// Resource ids: `<node-id>/<name>` with name `[a-z0-9][a-z0-9_-]{1,99}`, e.g.
/// `gov.public-security/household-registration`.
public enum ResourceID {
    /// Whether `text` is a well-formed resource id.
    public static func isValid(_ text: String) -> Bool {
        guard let (node, name) = split(text) else { return false }
        let bytes = name.utf8
        guard NodeID.isValid(node), (2...100).contains(bytes.count), let first = bytes.first,
            Identifiers.isLowerAlphanumeric(first)
        else { return false }
        return bytes.allSatisfy {
            Identifiers.isLowerAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
        }
    }

    /// The providing node of a resource id (the part before `/`), or `nil` if there is none.
    public static func node(of text: String) -> String? {
        split(text)?.node
    }

    private static func split(_ text: String) -> (node: String, name: String)? {
        guard let slash = text.firstIndex(of: "/") else { return nil }
        return (String(text[..<slash]), String(text[text.index(after: slash)...]))
    }
}

/// Purpose codes: dot-separated segments of `[a-z0-9-]`, e.g. `social-assistance.eligibility`.
public enum PurposeCode {
    /// The registry's catch-all entry.
    public static let wildcard = "*"

    /// Whether `purpose` is `allowed` or a narrower purpose under it (`a.b` is within `a`).
    public static func `is`(_ purpose: String, within allowed: String) -> Bool {
        // The common case, and String's fastest comparison.
        if purpose == allowed { return true }
        // Codes are ASCII: compare bytes, not grapheme clusters (this runs on every policy decision).
        let purposeBytes = purpose.utf8
        let allowedBytes = allowed.utf8
        guard purposeBytes.starts(with: allowedBytes) else { return false }
        return purposeBytes.count == allowedBytes.count
            || purposeBytes.dropFirst(allowedBytes.count).first == UInt8(ascii: ".")
    }

    /// Whether `text` is a well-formed purpose code (the wildcard is not one).
    public static func isValid(_ text: String) -> Bool {
        let bytes = text.utf8
        guard (1...100).contains(bytes.count), let first = bytes.first, Identifiers.isLowerAlphanumeric(first),
            bytes.last != UInt8(ascii: "."), !text.contains("..")
        else { return false }
        return bytes.allSatisfy {
            Identifiers.isLowerAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-")
        }
    }
}

/// Field (data item) names: `[A-Za-z][A-Za-z0-9_]{0,63}`.
public enum FieldName {
    /// Whether `text` is a well-formed field name.
    public static func isValid(_ text: String) -> Bool {
        let bytes = text.utf8
        guard (1...64).contains(bytes.count), let first = bytes.first, Identifiers.isLetter(first) else { return false }
        return bytes.allSatisfy {
            Identifiers.isLetter($0) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "_")
        }
    }
}

/// Record ids (consents, agreements): `[A-Za-z0-9][A-Za-z0-9._-]{2,127}`.
public enum RecordID {
    /// Whether `text` is a well-formed record id.
    public static func isValid(_ text: String) -> Bool {
        let bytes = text.utf8
        guard (3...128).contains(bytes.count), let first = bytes.first,
            Identifiers.isLetter(first) || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9"))
        else { return false }
        return bytes.allSatisfy {
            Identifiers.isLetter($0) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
        }
    }
}

enum Identifiers {
    static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    static func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
    }
}
