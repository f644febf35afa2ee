/// A person accountable for something, named by role and an office contact — never by private name.
public struct Official: Sendable, Hashable, Codable {
    /// The role, e.g. `Director, Household Registration Division`.
    public var role: String
    /// An office mailbox or phone.
    public var contact: String

    /// Creates an official.
    public init(role: String, contact: String) {
        self.role = role
        self.contact = contact
    }
}

/// The approver of conditional requests and the time they have to answer.
public struct Approver: Sendable, Hashable, Codable {
    /// The default reply deadline of 国发〔2016〕51号 Art. 14.
    public static let defaultReplyDays = 10

    /// The role.
    public var role: String
    /// An office mailbox or phone.
    public var contact: String
    /// Working days to answer an application; 10 when not given.
    public var replyWithinWorkingDays: Int?

    /// Creates an approver.
    public init(role: String, contact: String, replyWithinWorkingDays: Int? = nil) {
        self.role = role
        self.contact = contact
        self.replyWithinWorkingDays = replyWithinWorkingDays
    }

    /// The reply deadline in working days.
    public var replyDays: Int { replyWithinWorkingDays ?? Self.defaultReplyDays }
}

/// The maintainer and the update cycle they must keep.
public struct Maintainer: Sendable, Hashable, Codable {
    /// The role.
    public var role: String
    /// An office mailbox or phone.
    public var contact: String
    /// How often they must update the data.
    public var updateCycle: UpdateCycle

    /// Creates a maintainer.
    public init(role: String, contact: String, updateCycle: UpdateCycle) {
        self.role = role
        self.contact = contact
        self.updateCycle = updateCycle
    }
}

/// Who answers for one resource a department provides.
public struct ResourceResponsibility: Sendable, Hashable, Codable {
    /// The resource id.
    public var resource: String
    /// The accountable official of the providing department.
    public var provider: Official
    /// Who approves conditional requests, and how fast.
    public var approver: Approver?
    /// Who keeps the data current.
    public var maintainer: Maintainer
    /// Who supervises.
    public var supervisor: Official

    /// Creates a responsibility.
    public init(resource: String, provider: Official, approver: Approver?, maintainer: Maintainer, supervisor: Official)
    {
        self.resource = resource
        self.provider = provider
        self.approver = approver
        self.maintainer = maintainer
        self.supervisor = supervisor
    }
}

/// A resource a department needs from another.
public struct ResourceNeed: Sendable, Hashable, Codable {
    /// The resource id.
    public var resource: String
    /// The purpose code it is needed for.
    public var purpose: String
    /// Why.
    public var reason: String

    /// Creates a need.
    public init(resource: String, purpose: String, reason: String) {
        self.resource = resource
        self.purpose = purpose
        self.reason = reason
    }
}

/// A resource a department does not share, with the basis for not sharing it.
public struct NegativeListEntry: Sendable, Hashable, Codable {
    /// The resource id.
    public var resource: String
    /// The law, regulation or policy that forbids sharing.
    public var basis: String

    /// Creates an entry.
    public init(resource: String, basis: String) {
        self.resource = resource
        self.basis = basis
    }
}

/// A department's three lists (国办发〔2021〕6号): what it provides and who answers for each resource,
/// what it needs from others, and what it does not share and why.
public struct ResponsibilityList: Sendable, Hashable, Codable, ValidatableDocument {
    public static var documentName: String { "responsibility list" }

    /// The department's node id.
    public var department: String
    /// Its name.
    public var name: String
    /// The resources it provides.
    public var resources: [ResourceResponsibility]
    /// The resources it needs.
    public var needs: [ResourceNeed]
    /// The resources it does not share.
    public var negativeList: [NegativeListEntry]

    /// Creates a list.
    public init(
        department: String, name: String, resources: [ResourceResponsibility], needs: [ResourceNeed] = [],
        negativeList: [NegativeListEntry] = []
    ) {
        self.department = department
        self.name = name
        self.resources = resources
        self.needs = needs
        self.negativeList = negativeList
    }

    /// Who answers for `resource`, if this list covers it.
    public func responsibility(for resource: String) -> ResourceResponsibility? {
        resources.first { $0.resource == resource }
    }

    public func validationIssues() -> [ValidationIssue] {
        var issues = IssueCollector()
        issues.require(
            NodeID.isValid(department), "$.department", "responsibility.bad-department",
            "'\(department)' is not a node id")
        issues.require(!name.isEmpty, "$.name", "responsibility.name-required", "the department needs a name")
        var seen = Set<String>()
        for (index, entry) in resources.enumerated() {
            let path = "$.resources[\(index)]"
            issues.require(
                ResourceID.isValid(entry.resource), path + ".resource", "responsibility.bad-resource",
                "'\(entry.resource)' is not a resource id")
            if ResourceID.isValid(entry.resource) {
                issues.require(
                    ResourceID.node(of: entry.resource) == department, path + ".resource",
                    "responsibility.not-own-resource",
                    "'\(entry.resource)' is provided by another department; a list names only its own department's resources"
                )
            }
            issues.require(
                seen.insert(entry.resource).inserted, path + ".resource", "responsibility.duplicate-resource",
                "'\(entry.resource)' is listed twice")
            for (role, official) in [("provider", entry.provider), ("supervisor", entry.supervisor)] {
                issues.require(
                    !official.role.isEmpty && !official.contact.isEmpty, path + ".\(role)",
                    "responsibility.official-incomplete", "the \(role) needs a role and a contact")
            }
            issues.require(
                !entry.maintainer.role.isEmpty && !entry.maintainer.contact.isEmpty, path + ".maintainer",
                "responsibility.official-incomplete", "the maintainer needs a role and a contact")
            if let approver = entry.approver {
                issues.require(
                    !approver.role.isEmpty && !approver.contact.isEmpty, path + ".approver",
                    "responsibility.official-incomplete", "the approver needs a role and a contact")
                issues.require(
                    (1...60).contains(approver.replyDays), path + ".approver.replyWithinWorkingDays",
                    "responsibility.bad-reply-deadline",
                    "an approver answers within 1 to 60 working days, not \(approver.replyDays)")
            }
        }
        for (index, need) in needs.enumerated() {
            let path = "$.needs[\(index)]"
            issues.require(
                ResourceID.isValid(need.resource), path + ".resource", "responsibility.bad-resource",
                "'\(need.resource)' is not a resource id")
            issues.require(
                PurposeCode.isValid(need.purpose), path + ".purpose", "responsibility.bad-purpose",
                "'\(need.purpose)' is not a purpose code")
        }
        for (index, entry) in negativeList.enumerated() {
            let path = "$.negativeList[\(index)]"
            issues.require(
                ResourceID.isValid(entry.resource), path + ".resource", "responsibility.bad-resource",
                "'\(entry.resource)' is not a resource id")
            issues.require(
                !entry.basis.isEmpty, path + ".basis", "responsibility.basis-required",
                "a resource on the negative list needs the basis for not sharing it")
        }
        return issues.issues
    }

    /// The rules that need the department's catalog: every resource it provides is covered, conditional
    /// resources have an approver, the negative list matches the resources labelled none, and maintainers
    /// keep at least the catalog's update cycle.
    public func issues(against catalog: Catalog) -> [ValidationIssue] {
        var issues = IssueCollector()
        let own = catalog.sortedEntries.filter { $0.provider == department }
        for entry in own {
            let listed = negativeList.contains { $0.resource == entry.id }
            if case .notShared = entry.sharing {
                if !listed {
                    issues.add(
                        "$.negativeList", "responsibility.negative-list-incomplete",
                        "'\(entry.id)' is not shared, so it belongs on the negative list with its basis")
                }
            } else if listed {
                issues.add(
                    "$.negativeList", "responsibility.negative-list-shared-resource",
                    "'\(entry.id)' is on the negative list but the catalog shares it")
            }
            guard let index = resources.firstIndex(where: { $0.resource == entry.id }) else {
                if case .notShared = entry.sharing { continue }
                issues.add(
                    "$.resources", "responsibility.resource-uncovered",
                    "'\(entry.id)' is in the catalog but nobody is responsible for it here")
                continue
            }
            let responsibility = resources[index]
            let hasConditionalData = entry.items.contains { item in
                if case .conditional = entry.effectiveSharing(of: item) { return true }
                return false
            }
            if responsibility.approver == nil, hasConditionalData {
                issues.add(
                    "$.resources[\(index)].approver", "responsibility.approver-required",
                    "'\(entry.id)' has conditionally shared data, so someone must approve requests for it"
                )
            }
            if responsibility.maintainer.updateCycle.maxDays > entry.updateCycle.maxDays {
                issues.add(
                    "$.resources[\(index)].maintainer.updateCycle", "responsibility.update-cycle-too-slow",
                    "'\(entry.id)' is updated \(entry.updateCycle.rawValue) in the catalog, but its maintainer only commits to \(responsibility.maintainer.updateCycle.rawValue)"
                )
            }
        }
        for (index, responsibility) in resources.enumerated() where catalog.entries[responsibility.resource] == nil {
            issues.add(
                "$.resources[\(index)].resource", "responsibility.unknown-resource",
                "'\(responsibility.resource)' is not in the catalog")
        }
        return issues.issues
    }
}
