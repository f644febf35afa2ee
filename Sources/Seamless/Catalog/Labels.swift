/// Whether and how a resource (or one of its fields) may be shared with other departments:
/// 无条件共享 / 有条件共享 / 不予共享.
public enum SharingLabel: Sendable, Hashable, Codable {
    /// Any federation member may fetch it directly.
    case unconditional
    /// Only under an approved agreement; the condition says what must hold.
    case conditional(condition: String)
    /// Not shared; the legal basis says why.
    case notShared(basis: String)

    /// How strict the label is: unconditional 0 < conditional 1 < none 2.
    public var strictness: Int {
        switch self {
        case .unconditional: 0
        case .conditional: 1
        case .notShared: 2
        }
    }

    /// The label's `type` as written in files.
    public var typeName: String {
        switch self {
        case .unconditional: "unconditional"
        case .conditional: "conditional"
        case .notShared: "none"
        }
    }

    private enum CodingKeys: String, CodingKey {
        case type, condition, basis
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "unconditional": self = .unconditional
        // Missing texts decode as empty so the validator can name the rule instead of a decoding error.
        case "conditional":
            self = .conditional(condition: try container.decodeIfPresent(String.self, forKey: .condition) ?? "")
        case "none": self = .notShared(basis: try container.decodeIfPresent(String.self, forKey: .basis) ?? "")
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: container,
                debugDescription: "sharing type '\(type)' is not unconditional, conditional or none")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(typeName, forKey: .type)
        switch self {
        case .unconditional: break
        case .conditional(let condition): try container.encode(condition, forKey: .condition)
        case .notShared(let basis): try container.encode(basis, forKey: .basis)
        }
    }
}

/// Whether a resource may be opened to the public: 无条件开放 / 有条件开放 / 不予开放.
public enum OpennessLabel: Sendable, Hashable, Codable {
    /// Open to the public.
    case open
    /// Open under a condition.
    case conditional(condition: String)
    /// Not open.
    case closed

    /// The label's `type` as written in files.
    public var typeName: String {
        switch self {
        case .open: "open"
        case .conditional: "conditional"
        case .closed: "closed"
        }
    }

    private enum CodingKeys: String, CodingKey {
        case type, condition
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "open": self = .open
        case "conditional":
            self = .conditional(condition: try container.decodeIfPresent(String.self, forKey: .condition) ?? "")
        case "closed": self = .closed
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: container,
                debugDescription: "openness type '\(type)' is not open, conditional or closed")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(typeName, forKey: .type)
        if case .conditional(let condition) = self {
            try container.encode(condition, forKey: .condition)
        }
    }
}

/// The data grade of GB/T 43697-2024: 一般 / 重要 / 核心.
public enum DataGrade: String, Sendable, Hashable, Codable, CaseIterable {
    case general, important, core
}

/// How often a resource's data is updated.
public enum UpdateCycle: String, Sendable, Hashable, Codable, CaseIterable {
    case realtime, daily, weekly, monthly, quarterly
    case halfYearly = "half-yearly"
    case yearly

    /// The longest gap between updates, in days (real-time counts as one day).
    public var maxDays: Int {
        switch self {
        case .realtime, .daily: 1
        case .weekly: 7
        case .monthly: 31
        case .quarterly: 92
        case .halfYearly: 184
        case .yearly: 366
        }
    }
}

/// The resource format classes of the 2017 catalog guide (资源格式).
public enum ResourceFormat: String, Sendable, Hashable, Codable, CaseIterable {
    case database, spreadsheet
    case electronicFile = "electronic-file"
    case image
    case streamingMedia = "streaming-media"
    case selfDescribing = "self-describing"
    case serviceInterface = "service-interface"
}

/// How sensitive a field's values are.
public enum Sensitivity: String, Sendable, Hashable, Codable, CaseIterable {
    case `public`, `internal`, personal
    case sensitivePersonal = "sensitive-personal"

    /// Whether values identify or relate to a person (PIPL personal information).
    public var isPersonal: Bool { self == .personal || self == .sensitivePersonal }
}

/// The type of a field's values.
public enum FieldType: String, Sendable, Hashable, Codable, CaseIterable {
    case string, integer, decimal, boolean, date, datetime, time, binary
}
