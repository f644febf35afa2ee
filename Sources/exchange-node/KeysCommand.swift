import ArgumentParser
import Foundation
import SeamlessCLI
import SeamlessCrypto

struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Generate and inspect node signing keys.",
        subcommands: [Generate.self, Show.self]
    )

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate a signing key pair as PKCS#8 and SPKI PEM files.",
            discussion: """
                  Writes NAME.key.pem (mode 0600) and NAME.pub.pem into DIR and prints the key id (kid).
                  The files are the same formats `openssl genpkey` and `openssl pkey -pubout` write.

                Example:
                  exchange-node keys generate --algorithm sm2 --out /etc/seamless/keys --name civil-affairs
                """
        )

        @Option(help: "ed25519 (default), p256 (ES256) or sm2 (SM2-SM3).")
        var algorithm: String = "ed25519"

        @Option(help: "The directory to write the key files to; created if missing.")
        var out: String

        @Option(help: "The file name stem.")
        var name: String = "node"

        @Flag(help: "Replace existing key files with the same name.")
        var force = false

        func run() throws {
            guard let algorithm = SignatureAlgorithm(commandLineName: algorithm) else {
                throw CommandFailure.usage("unknown algorithm '\(self.algorithm)'; use ed25519, p256 or sm2")
            }
            guard !name.isEmpty, !name.contains("/") else {
                throw CommandFailure.usage("--name '\(name)' must be a file name stem without '/'")
            }
            let key = try PrivateKey.generate(algorithm)
            try Files.makeDirectory(out)
            let privatePath = (out as NSString).appendingPathComponent("\(name).key.pem")
            let publicPath = (out as NSString).appendingPathComponent("\(name).pub.pem")
            if !force {
                for path in [privatePath, publicPath] where FileManager.default.fileExists(atPath: path) {
                    throw CommandFailure.refused("'\(path)' already exists; move it away or pass --force to replace it")
                }
            }
            try Files.write(try key.pemRepresentation, to: privatePath, permissions: 0o600, overwrite: force)
            try Files.write(key.publicKey.pemRepresentation, to: publicPath, permissions: 0o644, overwrite: force)
            print(key.kid)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the algorithm and kid of a public or private key PEM file.",
            discussion: "Example:\n  exchange-node keys show keys/civil-affairs.pub.pem"
        )

        @Argument(help: "A PEM file: PKCS#8 private key or SPKI public key.")
        var file: String

        func run() throws {
            let text = try Files.readText(file, what: "key")
            let publicKey: PublicKey
            if text.contains("PRIVATE KEY") {
                publicKey = try wrap { () throws(CryptoError) in try PrivateKey(pemRepresentation: text).publicKey }
            } else {
                publicKey = try wrap { () throws(CryptoError) in try PublicKey(pemRepresentation: text) }
            }
            print("\(publicKey.algorithm) \(publicKey.kid)")
        }

        private func wrap(_ load: () throws(CryptoError) -> PublicKey) throws -> PublicKey {
            do {
                return try load()
            } catch {
                throw CommandFailure.usage("'\(file)' is not a usable key: \(error)")
            }
        }
    }
}
