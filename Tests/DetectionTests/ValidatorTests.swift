import Foundation
import Testing
@testable import Detection

@Suite struct ValidatorTests {
    func d(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func luhnAndCards() {
        #expect(Validators.creditCard(d("4111111111111111")))
        #expect(Validators.creditCard(d("378282246310005")))      // Amex
        #expect(Validators.creditCard(d("5555555555554444")))     // Mastercard
        #expect(Validators.creditCard(d("2223003122003222")))     // Mastercard 2-series
        #expect(Validators.creditCard(d("6011111111111117")))     // Discover
        #expect(!Validators.creditCard(d("4111111111111112")))    // bad check digit
        #expect(!Validators.creditCard(d("9111111111111111")))    // no issuer
        #expect(!Validators.creditCard(d("411111111111")))        // too short
    }

    @Test func ssnAndItin() {
        #expect(Validators.ssn(d("536221234")))
        #expect(!Validators.ssn(d("000221234")))
        #expect(!Validators.ssn(d("666221234")))
        #expect(!Validators.ssn(d("936221234")))
        #expect(!Validators.ssn(d("536001234")))
        #expect(!Validators.ssn(d("536220000")))
        #expect(!Validators.ssn(d("078051120")))
        #expect(Validators.itin(d("912701234")))
        #expect(!Validators.itin(d("912691234")))
        #expect(!Validators.itin(d("812701234")))
    }

    @Test func abaRouting() {
        #expect(Validators.abaRouting(d("011000015")))
        #expect(Validators.abaRouting(d("021000021")))
        #expect(!Validators.abaRouting(d("021000022")))
        #expect(!Validators.abaRouting(d("991000021")))
    }

    @Test func iban() {
        #expect(Validators.iban(d("GB82WEST12345698765432")))
        #expect(Validators.iban(d("DE89370400440532013000")))
        #expect(!Validators.iban(d("GB82WEST12345698765433")))
        #expect(!Validators.iban(d("DE8937040044053201300")))   // wrong length for DE
        #expect(!Validators.iban(d("XX82WEST12345698765432")))  // unknown country
    }

    @Test func npiDeaNhsNino() {
        #expect(Validators.npi(d("1234567893")))
        #expect(!Validators.npi(d("1234567890")))
        #expect(Validators.dea(d("AB1234563")))
        #expect(!Validators.dea(d("AB1234564")))
        #expect(!Validators.dea(d("IB1234563")))  // I is not a registrant type
        #expect(Validators.nhs(d("9434765919")))
        #expect(!Validators.nhs(d("9434765918")))
        #expect(Validators.nino(d("AB123456C")))
        #expect(!Validators.nino(d("QQ123456C")))
        #expect(!Validators.nino(d("AB123456E")))
        #expect(!Validators.nino(d("GB123456A")))
    }

    @Test func cryptoAddresses() {
        #expect(Validators.base58Check(d("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2")))
        #expect(Validators.base58Check(d("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy")))
        #expect(!Validators.base58Check(d("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3")))
        #expect(Validators.bech32(d("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")))
        #expect(!Validators.bech32(d("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdx")))
    }

    @Test func sha256AndHMAC() {
        let empty = SHA256.hash([]).map { String(format: "%02x", $0) }.joined()
        #expect(empty == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        // RFC 4231 test case 2
        let mac = SHA256.hmac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(mac == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }
}
