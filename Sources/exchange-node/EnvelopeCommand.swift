import ArgumentParser
import Foundation
import Seamless
import SeamlessCLI
import SeamlessCrypto

struct EnvelopeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "envelope",
        abstract: "Seal JSON into a signed, compressed envelope, or verify and open one.",
        subcommands: [Seal.self, Open.self, EnvelopeDemoCommand.self]
    )

    /// `request` is short for `seamless-request+jws`.
    static func envelopeType(_ text: String) throws -> EnvelopeType {
        if let type = EnvelopeType(rawValue: text) ?? EnvelopeType(rawValue: "seamless-\(text)+jws") {
            return type
        }
        throw CommandFailure.usage("--type '\(text)' is not a kind like 'request' or a typ like 'seamless-request+jws'")
    }

    struct Seal: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Canonicalise JSON, compress it with zlib and sign it as a JWS envelope.",
            discussion: """
                  Reads JSON from --in or standard input and prints the envelope (flattened JWS JSON).

                Example:
                  exchange-node envelope seal --key keys/civil-affairs.key.pem --issuer gov.civil-affairs \\
                      --audience gov.public-security --type request --in request.json > envelope.json
                """
        )

        @Option(help: "The signing key (PKCS#8 PEM).")
        var key: String

        @Option(help: "This node's id (iss).")
        var issuer: String

        @Option(help: "The receiving node's id (aud).")
        var audience: String

        @Option(help: "The message kind: request, response, catalog… or a full typ.")
        var type: String

        @Option(help: "zlib level 0–9.")
        var level: Int = 6

        @Option(name: .customLong("in"), help: "The JSON file to seal (default: standard input).")
        var input: String?

        func run() throws {
            let type = try EnvelopeCommand.envelopeType(type)
            let keyText = try Files.readText(key, what: "signing key")
            let privateKey: PrivateKey
            do {
                privateKey = try PrivateKey(pemRepresentation: keyText)
            } catch {
                throw CommandFailure.usage("'\(key)' is not a usable signing key: \(error)")
            }
            let json = try Files.read(input, limit: 64 << 20, what: "JSON to seal")
            let canonical: [UInt8]
            do {
                canonical = try CanonicalJSON.canonicalize(json)
            } catch {
                throw CommandFailure.refused(
                    "\(input.map { "'\($0)'" } ?? "standard input") is not valid JSON: \(error)")
            }
            do {
                let sealer = try EnvelopeSealer(key: privateKey, issuer: issuer, compressionLevel: level)
                printBytes(try sealer.seal(canonicalJSON: canonical, type: type, audience: audience).bytes)
            } catch {
                throw CommandFailure.usage(error.reason)
            }
        }
    }

    struct Open: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify an envelope against trusted keys, inflate it and print its JSON payload.",
            discussion: """
                  On any failure prints the error code and the reason and exits 1. Codes: \
                  \(EnvelopeError.Code.allCodes.map(\.description).joined(separator: ", ")).

                Example:
                  exchange-node envelope open --trust keys/civil-affairs.pub.pem \\
                      --audience gov.public-security --in envelope.json
                """
        )

        @Option(name: .customLong("trust"), help: "A trusted public key (SPKI PEM); repeat for several.")
        var trusted: [String] = []

        @Option(help: "This node's id: the envelope's aud must equal it. Without it any audience is accepted.")
        var audience: String?

        @Option(help: "The expected message kind (request, response, …) or typ.")
        var type: String?

        @Option(help: "The oldest iat accepted, in seconds before now.")
        var maxAge: Int64 = 300

        @Flag(help: "Skip the iat window, to inspect archived envelopes.")
        var ignoreTime = false

        @Option(help: "text prints the payload; json prints {\"header\":…,\"payload\":…}.")
        var format: OutputFormat = .text

        @Option(name: .customLong("in"), help: "The envelope file (default: standard input).")
        var input: String?

        enum OutputFormat: String, ExpressibleByArgument {
            case text, json
        }

        func run() throws {
            let trust = try TrustArguments.trustStore(trusted)
            var opener = EnvelopeOpener(
                trust: trust,
                audience: audience.map { .node($0) } ?? .any,
                time: ignoreTime ? .ignore : .window(maxAge: maxAge, maxSkew: 60)
            )
            if let type {
                opener.acceptedTypes = [try EnvelopeCommand.envelopeType(type)]
            }
            let bytes = try Files.read(input, limit: opener.limits.maxEnvelopeBytes, what: "envelope")
            do {
                let opened = try opener.open(bytes)
                let payload = try opened.json()
                switch format {
                case .text:
                    printBytes(CanonicalJSON.serialize(payload))
                case .json:
                    printBytes(CanonicalJSON.serialize(["header": opened.header.jsonValue, "payload": payload]))
                }
            } catch {
                throw CommandFailure.refused("\(error.code): \(error.reason)")
            }
        }
    }
}
