/// Why a JSON text was refused: the byte offset, the path to the value (`$.records[3].name`) and a sentence.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// One step of a path into a JSON document.
    public enum PathComponent: Sendable, Hashable {
        /// An object member.
        case key(String)
        /// An array element.
        case index(Int)
    }

    /// The byte offset in the input where parsing stopped.
    public let offset: Int
    /// The path to the value being parsed, outermost first.
    public internal(set) var path: [PathComponent]
    /// What was wrong.
    public let reason: String

    /// The path as JSONPath text, e.g. `$.records[3].name`.
    public var pathDescription: String {
        var text = "$"
        for component in path {
            switch component {
            case .key(let key):
                let plain = key.utf8.allSatisfy {
                    $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") || ($0 >= 0x30 && $0 <= 0x39)
                        || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A)
                }
                text += plain && !key.isEmpty ? ".\(key)" : "[\(String(reflecting: key))]"
            case .index(let index):
                text += "[\(index)]"
            }
        }
        return text
    }

    public var description: String {
        "\(reason) at byte \(offset) (\(pathDescription))"
    }
}
