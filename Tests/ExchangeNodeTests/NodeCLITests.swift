import Foundation
import Seamless
import SeamlessTestSupport
import Testing

/// The node commands a department operator uses, run as built binaries against real node folders.
@Suite("exchange-node init, catalog, consent, agreement, responsibility")
struct NodeCLITests {
    static func example(_ path: String) -> String {
        examplesDirectory.appendingPathComponent(path).path
    }

    static func catalogFiles(_ department: String) throws -> [String] {
        let folder = examplesDirectory.appendingPathComponent("catalog-entry")
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
            $0.hasPrefix(department + ".")
        }.sorted()
            .map { folder.appendingPathComponent($0).path }
    }

    /// A Public Security node with its catalog, lists, calendar and purposes imported.
    static func publicSecurityNode(_ dir: TemporaryDirectory) throws -> String {
        let path = dir.path("ps")
        let steps: [[String]] = [
            [
                "init", "--dir", path, "--id", "gov.public-security", "--algorithm", "sm2", "--member",
                "gov.civil-affairs", "--member", "gov.human-resources",
            ],
            ["catalog", "import", "--node", path] + (try catalogFiles("public-security")),
            ["responsibility", "import", "--node", path, example("responsibility-list/gov.public-security.json")],
            ["calendar", "import", "--node", path, example("calendar/prc-2026-2027.json")],
            ["purposes", "import", "--node", path, example("purposes/registry.json")],
        ]
        for step in steps {
            let result = try node(step)
            #expect(result.status == 0, "\(step.prefix(2).joined(separator: " ")): \(result.stderr)")
        }
        return path
    }

    @Test("init makes a node folder once and refuses to overwrite it")
    func initNode() throws {
        let dir = try TemporaryDirectory()
        let path = try Self.publicSecurityNode(dir)
        let config = try JSONParser().parse(try dir.read("ps/node.json"))
        #expect(config["id"] == "gov.public-security")
        #expect(config["algorithm"] == "SM2-SM3")
        // Each command closed the database cleanly: the write-ahead log was folded back and removed.
        #expect(!FileManager.default.fileExists(atPath: dir.path("ps/node.sqlite-wal")))
        #expect(!FileManager.default.fileExists(atPath: dir.path("ps/node.sqlite-shm")))
        let again = try node(["init", "--dir", path, "--id", "gov.public-security"])
        #expect(again.status == 1)
        #expect(again.stderr.contains("already holds a node"))
        let badID = try node(["init", "--dir", dir.path("x"), "--id", "Public Security"])
        #expect(badID.status == 2)
        let notANode = try node(["catalog", "list", "--node", dir.path("nowhere")])
        #expect(notANode.status == 2)
        #expect(notANode.stderr.contains("not a node folder"))
    }

    @Test("an init whose database cannot be reached leaves nothing behind, so it can be run again")
    func failedInitLeavesNothing() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("hr")
        // Nothing listens on port 1: the database is unreachable.
        let database = "postgres://node:secret@127.0.0.1:1/seamless"
        for _ in 0..<2 {
            let result = try node(["init", "--dir", path, "--id", "gov.human-resources", "--database", database])
            #expect(result.status == 3, "\(result.stderr)")
            #expect(!result.stderr.contains("already"), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir.path("hr/node.json")))
            #expect(!FileManager.default.fileExists(atPath: dir.path("hr/keys/node.key.pem")))
        }
        #expect(try node(["init", "--dir", path, "--id", "gov.human-resources"]).status == 0)
    }

    @Test(
        "federation install refuses an older file, the same version changed, and a replacement it cannot check against the installed file"
    )
    func federationInstallVersions() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("hr")
        #expect(try node(["init", "--dir", path, "--id", "gov.human-resources"]).status == 0)
        #expect(try node(["keys", "generate", "--out", dir.path("authority"), "--name", "authority"]).status == 0)
        let member = try node(["federation", "member", "--node", path, "--endpoint", "http://127.0.0.1:1"])
        #expect(member.status == 0, "\(member.stderr)")
        func signed(_ version: Int, name: String = "gov.example-city") throws -> String {
            let draft = #"{"federation":"\#(name)","version":\#(version),"members":["# + member.stdoutText + "]}"
            try draft.write(toFile: dir.path("draft.json"), atomically: true, encoding: .utf8)
            let file = dir.path("federation-\(name)-\(version).json")
            let result = try node([
                "federation", "sign", "--key", dir.path("authority/authority.key.pem"), "--authority",
                "gov.federation-authority", "--in", dir.path("draft.json"), "--out", file,
            ])
            #expect(result.status == 0, "\(result.stderr)")
            return file
        }
        func install(_ file: String) throws -> ProcessResult {
            try node([
                "federation", "install", "--node", path, "--file", file, "--authority-key",
                dir.path("authority/authority.pub.pem"),
            ])
        }
        let (one, two, twoChanged) = (try signed(1), try signed(2), try signed(2, name: "gov.other-city"))
        #expect(try install(two).status == 0)
        #expect(try install(two).status == 0, "the same file again is accepted")
        let older = try install(one)
        #expect(older.status == 1)
        #expect(older.stderr.contains("federation-rolled-back"), "\(older.stderr)")
        #expect(older.stderr.contains("version 2"), "\(older.stderr)")
        let changed = try install(twoChanged)
        #expect(changed.status == 1)
        #expect(changed.stderr.contains("a changed file needs a new version"), "\(changed.stderr)")
        // The installed file no longer verifies: nothing to check the older file against, so it is refused.
        let installed = try dir.read("hr/federation.json")
        let damaged = installed.map { $0 == UInt8(ascii: "2") ? UInt8(ascii: "3") : $0 }
        try Data(damaged).write(to: URL(fileURLWithPath: dir.path("hr/federation.json")))
        let unchecked = try install(one)
        #expect(unchecked.status == 1)
        #expect(unchecked.stderr.contains("the installed federation cannot be read"), "\(unchecked.stderr)")
        #expect(try dir.read("hr/federation.json") == damaged, "a refused install leaves the files as they were")
        try Data(installed).write(to: URL(fileURLWithPath: dir.path("hr/federation.json")))
        #expect(try install(two).status == 0)
        // node.json from before the first install (a restored backup) does not hide the installed file.
        var configuration = try JSONSerialization.jsonObject(with: Data(try dir.read("hr/node.json"))) as! [String: Any]
        configuration.removeValue(forKey: "federation")
        try JSONSerialization.data(withJSONObject: configuration).write(
            to: URL(fileURLWithPath: dir.path("hr/node.json")))
        let behindBackup = try install(one)
        #expect(behindBackup.status == 1)
        #expect(behindBackup.stderr.contains("federation-rolled-back"), "\(behindBackup.stderr)")
        #expect(try install(two).status == 0)
    }

    @Test("init refuses a folder holding a key or database of an earlier node and leaves them as they were")
    func initKeepsLeftovers() throws {
        let dir = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.path("hr/keys"), withIntermediateDirectories: true)
        let key = try dir.write("hr/keys/node.key.pem", Array("an earlier node's key".utf8))
        let refused = try node(["init", "--dir", dir.path("hr"), "--id", "gov.human-resources"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("already holds keys/node.key.pem from an earlier node"), "\(refused.stderr)")
        #expect(try dir.read("hr/keys/node.key.pem") == Array("an earlier node's key".utf8))
        #expect(!FileManager.default.fileExists(atPath: dir.path("hr/node.json")))
        try FileManager.default.removeItem(atPath: key)
        let database = try dir.write("hr/node.sqlite", Array("an earlier database".utf8))
        let again = try node(["init", "--dir", dir.path("hr"), "--id", "gov.human-resources"])
        #expect(again.status == 1 && again.stderr.contains("already holds node.sqlite"), "\(again.stderr)")
        #expect(try dir.read("hr/node.sqlite") == Array("an earlier database".utf8))
        try FileManager.default.removeItem(atPath: database)
        #expect(try node(["init", "--dir", dir.path("hr"), "--id", "gov.human-resources"]).status == 0)
    }

    @Test("catalog validate names the file, the JSON path and the rule; catalog import is all or nothing")
    func catalogErrors() throws {
        let dir = try TemporaryDirectory()
        let path = try Self.publicSecurityNode(dir)
        let before = try node(["catalog", "list", "--node", path, "--format", "json"]).stdout
        var entry = try JSONParser().parse(
            try Data(
                contentsOf: URL(
                    fileURLWithPath: Self.example("catalog-entry/public-security.household-registration.json")))
        ).objectValue!
        entry["title"] = "Household registers (renamed)"
        let good = try dir.write("good.json", CanonicalJSON.serialize(.object(entry)))
        entry["grade"] = "core"
        entry["sharing"] = ["type": "unconditional"]
        let bad = try dir.write("bad.json", CanonicalJSON.serialize(.object(entry)))
        let validated = try node(["catalog", "validate", good, bad])
        #expect(validated.status == 1)
        #expect(validated.stderr.contains("bad.json: $.sharing.type"))
        #expect(validated.stderr.contains("[catalog.core-never-unconditional]"))
        let imported = try node(["catalog", "import", "--node", path, good, bad])
        #expect(imported.status == 1)
        #expect(imported.stderr.contains("nothing was imported"))
        #expect(
            try node(["catalog", "list", "--node", path, "--format", "json"]).stdout == before,
            "the good file was not half-imported")
        let foreign = try node([
            "catalog", "import", "--node", path, Self.example("catalog-entry/civil-affairs.marriage-registration.json"),
        ])
        #expect(foreign.status == 1)
        #expect(foreign.stderr.contains("not by this node"))
        let truncated = try dir.write(
            "truncated.json", Array(Array(try Data(contentsOf: URL(fileURLWithPath: good))).prefix(100)))
        let broken = try node(["catalog", "validate", truncated])
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("truncated.json: $"))
        #expect(broken.stderr.contains("[document.bad-json]"))
    }

    @Test("a catalog change makes a new revision and the old one stays readable")
    func revisions() throws {
        let dir = try TemporaryDirectory()
        let path = try Self.publicSecurityNode(dir)
        let first = try JSONParser().parse(try node(["catalog", "list", "--node", path, "--format", "json"]).stdout)[
            "revision"]!.stringValue!
        var entry = try JSONParser().parse(
            try Data(
                contentsOf: URL(
                    fileURLWithPath: Self.example("catalog-entry/public-security.police-station-directory.json")))
        ).objectValue!
        entry["title"] = "Police stations (updated)"
        let changed = try node([
            "catalog", "import", "--node", path, try dir.write("changed.json", CanonicalJSON.serialize(.object(entry))),
        ])
        #expect(changed.status == 0, "\(changed.stderr)")
        let old = try node([
            "catalog", "show", "--node", path, "--revision", first, "gov.public-security/police-station-directory",
        ])
        #expect(old.status == 0)
        #expect(!old.stdoutText.contains("(updated)"))
        let current = try node(["catalog", "show", "--node", path, "gov.public-security/police-station-directory"])
        #expect(current.stdoutText.contains("(updated)"))
        #expect(try node(["catalog", "revisions", "--node", path]).stdoutText.split(separator: "\n").count == 3)
    }

    @Test("consents: grant, refuse bundled ones, withdraw once, and decisions follow")
    func consents() throws {
        let dir = try TemporaryDirectory()
        let path = try Self.publicSecurityNode(dir)
        var consent = try JSONParser().parse(
            try Data(contentsOf: URL(fileURLWithPath: Self.example("consent/consent-2026-000117.json")))
        ).objectValue!
        let backdated = try node([
            "consent", "grant", "--node", path, "--at", consent["given"]!["at"]!.stringValue!,
            Self.example("consent/consent-2026-000117.json"),
        ])
        #expect(backdated.status == 1, "a consent recorded as of the past would change past decisions")
        #expect(backdated.stderr.contains("never dated back"))
        let granted = try node(["consent", "grant", "--node", path, Self.example("consent/consent-2026-000117.json")])
        #expect(granted.status == 0, "\(granted.stderr)")
        let twice = try node(["consent", "grant", "--node", path, Self.example("consent/consent-2026-000117.json")])
        #expect(twice.status == 1)
        #expect(twice.stderr.hasPrefix("error: already-exists:"))
        consent["id"] = "consent-bundled-1"
        consent["purposes"] = [consent["purpose"]!, "marriage-registration.verify-household"]
        consent["purpose"] = nil
        let bundled = try node([
            "consent", "grant", "--node", path,
            try dir.write("bundled.json", CanonicalJSON.serialize(.object(consent))),
        ])
        #expect(bundled.status == 1)
        #expect(bundled.stderr.contains("[consent.bundled]"))
        let id = "consent-2026-000117"
        let backdatedWithdrawal = try node(["consent", "withdraw", "--node", path, id, "--at", "2026-01-01T00:00:00Z"])
        #expect(backdatedWithdrawal.status == 1)
        #expect(try node(["consent", "withdraw", "--node", path, id, "--reason", "asked at the counter"]).status == 0)
        let again = try node(["consent", "withdraw", "--node", path, id])
        #expect(again.status == 1)
        #expect(again.stderr.contains("final"))
        let listed = try node(["consent", "list", "--node", path])
        #expect(listed.stdoutText.contains("withdrawn"))
    }

    @Test("agreements: apply, approve, refuse a second answer, and the decision uses the agreement")
    func agreements() throws {
        let dir = try TemporaryDirectory()
        let path = try Self.publicSecurityNode(dir)
        let request = [
            "decide", "--node", path, "--requester", "gov.civil-affairs", "--resource",
            "gov.public-security/household-registration",
            "--fields", "householdId,registeredAddress", "--purpose", "marriage-registration.verify-household",
            "--basis", "statutory-duty",
        ]
        let before = try node(request)
        #expect(before.status == 1)
        #expect(before.stdoutText.contains("agreement-required"))
        let applied = try node([
            "agreement", "apply", "--node", path, "--id", "agr-test-1", "--requester", "gov.civil-affairs",
            "--resource", "gov.public-security/household-registration", "--fields", "householdId,registeredAddress",
            "--purpose", "marriage-registration.verify-household", "--basis", "statutory-duty",
            "--basis-reference", "Marriage Registration Regulations Art. 7", "--valid-until", "2030-01-01T00:00:00Z",
        ])
        #expect(applied.status == 0, "\(applied.stderr)")
        let approved = try node([
            "agreement", "approve", "--node", path, "agr-test-1", "--by", "Director, Household Registration Division",
        ])
        #expect(approved.status == 0, "\(approved.stderr)")
        let rejectedLate = try node([
            "agreement", "reject", "--node", path, "agr-test-1", "--by", "Director", "--reason", "changed mind",
        ])
        #expect(rejectedLate.status == 1)
        #expect(rejectedLate.stderr.contains("can only become revoked"))
        #expect(rejectedLate.stderr.contains("[agreement.bad-transition]"))
        let after = try node(request)
        #expect(after.status == 0, "\(after.stdoutText)\(after.stderr)")
        #expect(after.stdoutText.contains("agreement agr-test-1"))
        let unknownField = try node([
            "agreement", "apply", "--node", path, "--requester", "gov.civil-affairs", "--resource",
            "gov.public-security/household-registration",
            "--fields", "salary", "--purpose", "marriage-registration.verify-household", "--basis", "statutory-duty",
            "--basis-reference", "x", "--valid-until", "2030-01-01T00:00:00Z",
        ])
        #expect(unknownField.status == 1)
        #expect(unknownField.stderr.contains("[agreement.unknown-field]"))
    }

    @Test("responsibility due shows pending, soon-due and overdue applications against the working-day calendar")
    func due() throws {
        let dir = try TemporaryDirectory()
        let path = try Self.publicSecurityNode(dir)
        let applied = try node([
            "agreement", "apply", "--node", path, "--id", "agr-due-1", "--requester", "gov.human-resources",
            "--resource", "gov.public-security/household-registration", "--fields", "householdId",
            "--purpose", "social-insurance.enrolment", "--basis", "statutory-duty", "--basis-reference",
            "Social Insurance Law Art. 58",
            "--at", "2026-09-29T02:00:00Z", "--valid-until", "2027-09-29T00:00:00Z",
        ])
        #expect(applied.status == 0, "\(applied.stderr)")
        // 29 September + 10 working days, skipping the National Day holidays and counting the adjusted working day.
        let early = try node([
            "responsibility", "due", "--node", path, "--today", "2026-09-30", "--within", "3", "--format", "json",
        ])
        #expect(early.status == 0, "\(early.stderr)")
        let items = try JSONParser().parse(early.stdout).arrayValue ?? []
        #expect(items.first?["standing"] == "pending")
        let deadline = items.first?["deadline"]?.stringValue ?? ""
        #expect(deadline > "2026-10-12", "the deadline skips the Golden Week: \(deadline)")
        let late = try node(["responsibility", "due", "--node", path, "--today", "2026-11-02"])
        #expect(late.status == 1)
        #expect(late.stdoutText.contains("overdue"))
        let shown = try node(["responsibility", "show", "--node", path, "gov.public-security/household-registration"])
        #expect(shown.stdoutText.contains("approver"))
    }
}
