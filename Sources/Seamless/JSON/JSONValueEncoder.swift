/// Encodes an `Encodable` value straight into a ``JSONValue``, for ``CanonicalJSON/encode(_:)``: no JSON text
/// is written and parsed again on the way (that round trip through `JSONEncoder` was a fifth of a request's
/// CPU). Same result as `JSONEncoder` then ``JSONParser``: absent optionals are omitted, integers become
/// numbers, non-finite numbers are refused.
struct JSONValueEncoder {
    /// The JSON value of `value`.
    static func encode(_ value: some Encodable) throws -> JSONValue {
        try slot(value, path: []).resolved
    }

    /// Where one value is being built; containers fill it in place, so nested containers reach their parent.
    /// Finished values are held as they are; only containers that may still grow are boxes.
    final class Box {
        enum Slot {
            case value(JSONValue)
            case box(Box)

            var resolved: JSONValue {
                switch self {
                case .value(let value): value
                case .box(let box): box.resolved
                }
            }
        }

        enum Content {
            case empty
            case value(JSONValue)
            case object([String: Slot])
            case array([Slot])
        }
        var content = Content.empty

        var resolved: JSONValue {
            switch content {
            case .empty: .object([:])
            case .value(let value): value
            case .object(let members): .object(members.mapValues(\.resolved))
            case .array(let elements): .array(elements.map(\.resolved))
            }
        }

        func makeObject() {
            if case .object = content { return }
            content = .object([:])
        }

        func set(_ key: String, _ slot: Slot) {
            guard case .object(var members) = content else {
                content = .object([key: slot])
                return
            }
            content = .empty  // hand the storage over, so the dictionary grows in place
            members[key] = slot
            content = .object(members)
        }

        func append(_ slot: Slot) {
            guard case .array(var elements) = content else {
                content = .array([slot])
                return
            }
            content = .empty
            elements.append(slot)
            content = .array(elements)
        }

        var count: Int {
            if case .array(let elements) = content { return elements.count }
            return 0
        }
    }

    static func number<T: BinaryFloatingPoint>(_ value: T, _ path: [any CodingKey]) throws -> JSONValue {
        guard value.isFinite else {
            throw EncodingError.invalidValue(
                value, .init(codingPath: path, debugDescription: "JSON has no NaN or infinity"))
        }
        return .number(Double(value))
    }

    /// The slot of an encoded value: the value itself when it is (or encodes to) a finished value.
    static func slot<T: Encodable>(_ value: T, path: [any CodingKey]) throws -> Box.Slot {
        // A metatype comparison first: the dynamic cast costs more than the whole rest for most values.
        if T.self == JSONValue.self, let json = value as? JSONValue { return .value(json) }
        if T.self == String.self, let text = value as? String { return .value(.string(text)) }
        let box = Box()
        try value.encode(to: Impl(box: box, codingPath: path))
        if case .value(let finished) = box.content { return .value(finished) }
        return .box(box)
    }

    struct Impl: Encoder {
        let box: Box
        let codingPath: [any CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            box.makeObject()
            return KeyedEncodingContainer(Keyed<Key>(box: box, codingPath: codingPath))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            if case .array = box.content {} else { box.content = .array([]) }
            return Unkeyed(box: box, codingPath: codingPath)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer {
            Single(box: box, codingPath: codingPath)
        }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let box: Box
        let codingPath: [any CodingKey]

        private func set(_ key: Key, _ value: JSONValue) {
            box.set(key.stringValue, .value(value))
        }

        mutating func encodeNil(forKey key: Key) throws { set(key, .null) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { set(key, .bool(value)) }
        mutating func encode(_ value: String, forKey key: Key) throws { set(key, .string(value)) }
        mutating func encode(_ value: Double, forKey key: Key) throws {
            set(key, try JSONValueEncoder.number(value, codingPath + [key]))
        }
        mutating func encode(_ value: Float, forKey key: Key) throws {
            set(key, try JSONValueEncoder.number(value, codingPath + [key]))
        }
        mutating func encode(_ value: Int, forKey key: Key) throws { set(key, .number(Double(value))) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { set(key, .number(Double(value))) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { set(key, .number(Double(value))) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { set(key, .number(Double(value))) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { set(key, .number(Double(value))) }
        mutating func encode(_ value: UInt, forKey key: Key) throws { set(key, .number(Double(value))) }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { set(key, .number(Double(value))) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { set(key, .number(Double(value))) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { set(key, .number(Double(value))) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { set(key, .number(Double(value))) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            box.set(key.stringValue, try JSONValueEncoder.slot(value, path: codingPath + [key]))
        }

        mutating func nestedContainer<NestedKey: CodingKey>(
            keyedBy keyType: NestedKey.Type, forKey key: Key
        ) -> KeyedEncodingContainer<NestedKey> {
            let child = Box()
            child.content = .object([:])
            box.set(key.stringValue, .box(child))
            return KeyedEncodingContainer(Keyed<NestedKey>(box: child, codingPath: codingPath + [key]))
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let child = Box()
            child.content = .array([])
            box.set(key.stringValue, .box(child))
            return Unkeyed(box: child, codingPath: codingPath + [key])
        }

        mutating func superEncoder() -> any Encoder { superEncoder(named: "super", path: codingPath) }

        mutating func superEncoder(forKey key: Key) -> any Encoder {
            superEncoder(named: key.stringValue, path: codingPath + [key])
        }

        private func superEncoder(named name: String, path: [any CodingKey]) -> any Encoder {
            let child = Box()
            box.set(name, .box(child))
            return Impl(box: child, codingPath: path)
        }
    }

    struct IndexKey: CodingKey {
        let intValue: Int?
        let stringValue: String
        init(_ index: Int) {
            intValue = index
            stringValue = String(index)
        }
        init?(stringValue: String) { nil }
        init?(intValue: Int) { self.init(intValue) }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let box: Box
        let codingPath: [any CodingKey]
        var count: Int { box.count }

        private func add(_ value: JSONValue) {
            box.append(.value(value))
        }

        mutating func encodeNil() throws { add(.null) }
        mutating func encode(_ value: Bool) throws { add(.bool(value)) }
        mutating func encode(_ value: String) throws { add(.string(value)) }
        mutating func encode(_ value: Double) throws {
            add(try JSONValueEncoder.number(value, codingPath + [IndexKey(count)]))
        }
        mutating func encode(_ value: Float) throws {
            add(try JSONValueEncoder.number(value, codingPath + [IndexKey(count)]))
        }
        mutating func encode(_ value: Int) throws { add(.number(Double(value))) }
        mutating func encode(_ value: Int64) throws { add(.number(Double(value))) }
        mutating func encode<T: Encodable>(_ value: T) throws {
            box.append(try JSONValueEncoder.slot(value, path: codingPath + [IndexKey(count)]))
        }

        mutating func nestedContainer<NestedKey: CodingKey>(
            keyedBy keyType: NestedKey.Type
        ) -> KeyedEncodingContainer<NestedKey> {
            let child = Box()
            child.content = .object([:])
            let path = codingPath + [IndexKey(count)]
            box.append(.box(child))
            return KeyedEncodingContainer(Keyed<NestedKey>(box: child, codingPath: path))
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let child = Box()
            child.content = .array([])
            let path = codingPath + [IndexKey(count)]
            box.append(.box(child))
            return Unkeyed(box: child, codingPath: path)
        }

        mutating func superEncoder() -> any Encoder {
            let child = Box()
            let path = codingPath + [IndexKey(count)]
            box.append(.box(child))
            return Impl(box: child, codingPath: path)
        }
    }

    struct Single: SingleValueEncodingContainer {
        let box: Box
        let codingPath: [any CodingKey]

        mutating func encodeNil() throws { box.content = .value(.null) }
        mutating func encode(_ value: Bool) throws { box.content = .value(.bool(value)) }
        mutating func encode(_ value: String) throws { box.content = .value(.string(value)) }
        mutating func encode(_ value: Double) throws {
            box.content = .value(try JSONValueEncoder.number(value, codingPath))
        }
        mutating func encode(_ value: Float) throws {
            box.content = .value(try JSONValueEncoder.number(value, codingPath))
        }
        mutating func encode(_ value: Int) throws { box.content = .value(.number(Double(value))) }
        mutating func encode(_ value: Int8) throws { box.content = .value(.number(Double(value))) }
        mutating func encode(_ value: Int16) throws { box.content = .value(.number(Double(value))) }
        mutating func encode(_ value: Int32) throws { box.content = .value(.number(Double(value))) }
        mutating func encode(_ value: Int64) throws { box.content = .value(.number(Double(value))) }
        mutating func encode(_ value: UInt) throws { box.content = .value(.number(Double(value))) }
        mutating func encode(_ value: UInt8) throws { box.content = .value(.number(Double(value))) }
        mutating func encode(_ value: UInt16) throws { box.content = .value(.number(Double(value))) }
        mutating func encode(_ value: UInt32) throws { box.content = .value(.number(Double(value))) }
        mutating func encode(_ value: UInt64) throws { box.content = .value(.number(Double(value))) }
        mutating func encode<T: Encodable>(_ value: T) throws {
            box.content = .value(try JSONValueEncoder.slot(value, path: codingPath).resolved)
        }
    }
}
