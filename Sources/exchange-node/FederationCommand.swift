import ArgumentParser
import Foundation
import Seamless
import SeamlessCLI
import SeamlessCrypto

struct FederationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "federation",
        abstract: "The signed federation file: who takes part, where their nodes listen, which keys they use.",
        discussion: """
            The federation authority signs one file listing every member; each node installs it and then trusts
            exactly the keys it lists. Typical flow:
              exchange-node federation member --node nodes/ps --endpoint http://10.0.0.5:8443 > ps.json
              (the authority collects the members into federation-draft.json: {"federation","version","members"})
              exchange-node federation sign --key authority.key.pem --authority gov.federation-authority \\
                  --in federation-draft.json --out federation.json
              exchange-node federation install --node nodes/ps --file federation.json --authority-key authority.pub.pem
            """,
        subcommands: [Member.self, Sign.self, Install.self, Show.self]
    )

    struct Member: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print this node's member entry (id, name, endpoint, current key) for the authority.")
        @OptionGroup var node: NodeOptions
        @Option(help: "The base URL peers reach the node at, e.g. http://10.0.0.5:8443.") var endpoint: String
        @Option(help: "The department's name (default: the node id).") var name: String?

        func run() throws {
            let directory = try node.open()
            let key = try directory.privateKey().publicKey
            let member = Federation.Member(
                id: directory.configuration.id, name: name ?? directory.configuration.id, endpoint: endpoint,
                keys: [Federation.MemberKey(key, validFrom: .now)])
            try printJSON(member)
        }
    }

    struct Draft: Decodable {
        var federation: String
        var version: Int
        var issuedAt: Timestamp?
        var members: [Federation.Member]
    }

    struct Sign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign a federation draft with the authority key (the authority's job, not a node's).")
        @Option(help: "The authority's private key (PKCS#8 PEM).") var key: String
        @Option(help: "The authority's id, written as the file's issuer.") var authority: String
        @Option(name: .customLong("in"), help: "The draft: {\"federation\",\"version\",\"members\"}.") var input: String
        @Option(help: "The signed file to write.") var out: String

        func run() throws {
            let signer: PrivateKey
            do {
                signer = try PrivateKey(pemRepresentation: try Files.readText(key, what: "authority key"))
            } catch let failure as CommandFailure {
                throw failure
            } catch {
                throw CommandFailure.usage("'\(key)' is not a private key: \(error)")
            }
            let draft: Draft
            do {
                draft = try JSONDecoder().decode(
                    Draft.self, from: Data(try Files.read(input, limit: 32 << 20, what: "draft")))
            } catch let failure as CommandFailure {
                throw failure
            } catch {
                throw CommandFailure.usage("'\(input)' is not a federation draft: \(error)")
            }
            let federation = Federation(
                federation: draft.federation, version: draft.version, issuedAt: draft.issuedAt ?? .now,
                members: draft.members)
            let bytes: [UInt8]
            do {
                bytes = try federation.sealed(by: signer, authorityID: authority)
            } catch {
                throw CommandFailure.refused("\(error)")
            }
            try Files.write(
                String(decoding: bytes, as: UTF8.self) + "\n", to: out, permissions: 0o644, overwrite: false)
            print(
                "signed \(out): federation \(federation.federation) version \(federation.version), \(federation.members.count) member\(federation.members.count == 1 ? "" : "s")"
            )
        }
    }

    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Install a signed federation file into a node (refused if it does not verify or is older).")
        @OptionGroup var node: NodeOptions
        @Option(help: "The signed federation file.") var file: String
        @Option(help: "The federation authority's public key (PEM).") var authorityKey: String
        @Option(help: "Where `serve` listens, HOST:PORT (default: keep the current setting).") var listen: String?

        func run() throws {
            let directory = try node.open()
            let authority: PublicKey
            do {
                authority = try PublicKey(pemRepresentation: try Files.readText(authorityKey, what: "authority key"))
            } catch let failure as CommandFailure {
                throw failure
            } catch {
                throw CommandFailure.usage("'\(authorityKey)' is not a public key: \(error)")
            }
            let bytes = try Files.read(file, limit: 32 << 20, what: "federation file")
            let federation: Federation
            do {
                federation = try Federation.open(bytes, authority: authority)
            } catch {
                throw CommandFailure.refused("\(file): \(error)")
            }
            let id = directory.configuration.id
            let kid = try directory.privateKey().kid
            guard let member = federation.member(id) else {
                throw CommandFailure.refused("\(file) does not list \(id); ask the authority to add it")
            }
            guard member.keys.contains(where: { $0.kid == kid }) else {
                throw CommandFailure.refused(
                    "\(file) lists \(id) without its current key \(kid); peers would refuse everything it signs")
            }
            if let settings = directory.installedFederationSettings {
                // The installed file must be read to be replaced: one that no longer verifies could hide a
                // rollback, so it is refused rather than skipped.
                let installed: Federation
                do {
                    installed = try directory.federation(settings)
                } catch let failure as CommandFailure {
                    throw CommandFailure.refused(
                        "the installed federation cannot be read, so \(file) cannot be checked against it (\(failure.message)); restore the installed file or its authority key from a backup first, or, to install without this check, remove federation.json and the \"federation\" setting from node.json"
                    )
                }
                do {
                    try federation.checkReplaces(installed)
                } catch {
                    throw CommandFailure.refused("\(file): \(error)")
                }
            }
            if let listen { _ = try NodeDirectory.listenAddress(listen) }
            try directory.install(federation, signed: bytes, authority: authority, listen: listen)
            print(
                "installed federation \(federation.federation) version \(federation.version) in \(directory.path): \(federation.members.count) member\(federation.members.count == 1 ? "" : "s")"
            )
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the node's federation: members, endpoints, keys.")
        @OptionGroup var node: NodeOptions
        @Option(help: "text or json.") var format: OutputFormat = .text

        func run() throws {
            let federation = try node.open().federation()
            if format == .json {
                try printJSON(federation)
                return
            }
            print("federation \(federation.federation) version \(federation.version), signed \(federation.issuedAt)")
            for member in federation.members {
                let keys = member.keys.map { "\($0.algorithm) \($0.kid)" }.joined(separator: ", ")
                print("  \(member.id)  \(member.endpoint)  \(keys)")
            }
        }
    }
}
