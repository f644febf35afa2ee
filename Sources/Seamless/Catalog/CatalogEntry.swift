/// One data item (信息项) of a resource.
public struct DataItem: Sendable, Hashable, Codable {
    /// The field name records use.
    public var name: String
    /// A human title.
    public var title: String?
    /// The value type.
    public var type: FieldType
    /// How sensitive the values are.
    public var sensitivity: Sensitivity
    /// Whether the field is (part of) the record key.
    public var primaryKey: Bool?
    /// A label stricter than the resource's, if the field is shared more narrowly.
    public var sharing: SharingLabel?

    /// Creates an item.
    public init(
        name: String, title: String? = nil, type: FieldType, sensitivity: Sensitivity,
        primaryKey: Bool? = nil, sharing: SharingLabel? = nil
    ) {
        self.name = name
        self.title = title
        self.type = type
        self.sensitivity = sensitivity
        self.primaryKey = primaryKey
        self.sharing = sharing
    }

    /// Whether the field is a key field.
    public var isPrimaryKey: Bool { primaryKey ?? false }
}

/// A shareable resource in a department's catalog: what it is, who provides it, how it may be shared and
/// opened, its grade, the purposes it may serve and its fields.
public struct CatalogEntry: Sendable, Hashable, Codable {
    /// `<node-id>/<name>`.
    public var id: String
    /// A short title.
    public var title: String
    /// What the resource holds.
    public var description: String
    /// The providing node; equals the id's node part.
    public var provider: String
    /// The resource format class.
    public var format: ResourceFormat
    /// How often the data is updated.
    public var updateCycle: UpdateCycle
    /// The data grade.
    public var grade: DataGrade
    /// The sharing label.
    public var sharing: SharingLabel
    /// The openness label.
    public var openness: OpennessLabel
    /// The purpose codes the resource may be requested for.
    public var purposes: [String]
    /// Search keywords.
    public var keywords: [String]?
    /// The fields.
    public var items: [DataItem]

    /// Creates an entry.
    public init(
        id: String, title: String, description: String, provider: String, format: ResourceFormat,
        updateCycle: UpdateCycle, grade: DataGrade, sharing: SharingLabel, openness: OpennessLabel,
        purposes: [String], keywords: [String]? = nil, items: [DataItem]
    ) {
        self.id = id
        self.title = title
        self.description = description
        self.provider = provider
        self.format = format
        self.updateCycle = updateCycle
        self.grade = grade
        self.sharing = sharing
        self.openness = openness
        self.purposes = purposes
        self.keywords = keywords
        self.items = items
    }

    /// The item named `name`, if any.
    public func item(named name: String) -> DataItem? {
        items.first { $0.name == name }
    }

    /// The label that governs `item`: its own if it has one, else the resource's.
    public func effectiveSharing(of item: DataItem) -> SharingLabel {
        item.sharing ?? sharing
    }
}
