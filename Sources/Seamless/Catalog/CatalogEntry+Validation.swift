extension CatalogEntry: ValidatableDocument {
    public static var documentName: String { "catalog entry" }

    /// The catalog rules of `Docs/CATALOG.md`, each with its own rule code.
    public func validationIssues() -> [ValidationIssue] {
        var issues = IssueCollector()
        issues.require(
            ResourceID.isValid(id), "$.id", "catalog.bad-id",
            "'\(id)' is not a resource id like gov.public-security/household-registration")
        issues.require(NodeID.isValid(provider), "$.provider", "catalog.bad-provider", "'\(provider)' is not a node id")
        if let node = ResourceID.node(of: id), ResourceID.isValid(id), node != provider {
            issues.add(
                "$.provider", "catalog.provider-mismatch",
                "the resource id belongs to '\(node)' but the provider is '\(provider)'")
        }
        issues.require(!title.isEmpty, "$.title", "catalog.title-required", "a resource needs a title")
        issues.require(
            !description.isEmpty, "$.description", "catalog.description-required", "a resource needs a description")
        checkLabel(sharing, path: "$.sharing", into: &issues)
        switch openness {
        case .conditional(let condition) where condition.isEmpty:
            issues.add(
                "$.openness.condition", "catalog.condition-required",
                "conditional openness needs a condition saying when the data may be opened")
        default:
            break
        }
        if case .notShared = sharing, openness != .closed {
            issues.add(
                "$.openness.type", "catalog.unshared-must-be-closed",
                "a resource that is not shared (sharing none) can never be open; its openness must be closed")
        }
        if grade == .core, sharing == .unconditional {
            issues.add(
                "$.sharing.type", "catalog.core-never-unconditional",
                "core-grade data is never shared unconditionally; make it conditional or none")
        }
        if case .notShared = sharing {
        } else {
            issues.require(
                !purposes.isEmpty, "$.purposes", "catalog.purposes-required",
                "a shared resource must name the purposes it may be requested for")
        }
        var seenPurposes = Set<String>()
        for (index, purpose) in purposes.enumerated() {
            issues.require(
                PurposeCode.isValid(purpose), "$.purposes[\(index)]", "catalog.bad-purpose",
                "'\(purpose)' is not a purpose code like social-assistance.eligibility")
            issues.require(
                seenPurposes.insert(purpose).inserted, "$.purposes[\(index)]", "catalog.duplicate-purpose",
                "purpose '\(purpose)' is listed twice")
        }
        checkItems(into: &issues)
        return issues.issues
    }

    private func checkLabel(_ label: SharingLabel, path: String, into issues: inout IssueCollector) {
        switch label {
        case .conditional(let condition) where condition.isEmpty:
            issues.add(
                path + ".condition", "catalog.condition-required",
                "conditional sharing needs a condition saying who may get the data and how")
        case .notShared(let basis) where basis.isEmpty:
            issues.add(
                path + ".basis", "catalog.basis-required",
                "not sharing needs the legal basis (law, regulation or State Council policy) that forbids it")
        default:
            break
        }
    }

    private func checkItems(into issues: inout IssueCollector) {
        issues.require(!items.isEmpty, "$.items", "catalog.items-required", "a resource needs at least one data item")
        issues.require(
            items.contains { $0.isPrimaryKey }, "$.items", "catalog.primary-key-required",
            "at least one data item must be a primary key, so records can be selected")
        var seen = Set<String>()
        for (index, item) in items.enumerated() {
            let path = "$.items[\(index)]"
            issues.require(
                FieldName.isValid(item.name), path + ".name", "catalog.bad-field-name",
                "'\(item.name)' is not a field name like householdId")
            issues.require(
                seen.insert(item.name).inserted, path + ".name", "catalog.duplicate-field",
                "field '\(item.name)' appears twice")
            if let label = item.sharing {
                checkLabel(label, path: path + ".sharing", into: &issues)
                if label.strictness < sharing.strictness {
                    issues.add(
                        path + ".sharing.type", "catalog.field-more-open-than-resource",
                        "field '\(item.name)' is \(label.typeName) but the resource is \(sharing.typeName); a field may only be shared more narrowly than its resource"
                    )
                }
            }
            if item.sensitivity.isPersonal, openness == .open {
                issues.add(
                    "$.openness.type", "catalog.personal-data-open",
                    "field '\(item.name)' holds personal information, so the resource cannot be open unconditionally")
            }
            if item.sensitivity == .sensitivePersonal, effectiveSharing(of: item) == .unconditional {
                issues.add(
                    path + ".sharing", "catalog.sensitive-field-unconditional",
                    "field '\(item.name)' is sensitive personal information and may not be shared unconditionally; give it a conditional or none label"
                )
            }
        }
    }
}
