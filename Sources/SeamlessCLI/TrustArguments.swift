import Foundation
import Seamless
import SeamlessCrypto

/// Loads public keys named on the command line into a trust store.
public enum TrustArguments {
    /// Reads each PEM file as a trusted key; a file that is not a public key is a usage error naming it.
    public static func trustStore(_ paths: [String]) throws -> TrustStore {
        guard !paths.isEmpty else {
            throw CommandFailure.usage("give at least one --trust PUB.pem: Seamless verifies only against trusted keys")
        }
        var store = TrustStore()
        for path in paths {
            let text = try Files.readText(path, what: "trusted public key")
            do {
                store.add(TrustedKey(try PublicKey(pemRepresentation: text)))
            } catch {
                throw CommandFailure.usage("'\(path)' is not a usable public key: \(error)")
            }
        }
        return store
    }
}
