import Market
import Testing

@Suite struct SocialCreditCodeTests {
    @Test(arguments: ["91350100M000100Y43", "91110108551385082Q", "91350100m000100y43"])
    func publishedCodesAreAccepted(_ text: String) throws {
        let code = try SocialCreditCode(text)
        #expect(code.value == text.uppercased())
        #expect(code.registrationRegion.count == 6)
    }

    @Test func aMistypedCharacterIsCaughtByTheCheck() {
        #expect(throws: SocialCreditCode.Problem.wrongCheckCharacter(expected: "3", found: "4")) {
            try SocialCreditCode("91350100M000100Y44")
        }
        // Two swapped neighbours change the weighted sum too.
        #expect(throws: SocialCreditCode.Problem.self) { try SocialCreditCode("93150100M000100Y43") }
    }

    @Test func malformedCodesSayWhatIsWrong() {
        #expect(throws: SocialCreditCode.Problem.wrongLength(17)) { try SocialCreditCode("91350100M000100Y4") }
        #expect(throws: SocialCreditCode.Problem.invalidCharacter(position: 9)) { try SocialCreditCode("91350100O000100Y43") }
        #expect(throws: SocialCreditCode.Problem.regionNotNumeric) { try SocialCreditCode("9135A100M000100Y43") }
        let problem = SocialCreditCode.Problem.wrongCheckCharacter(expected: "3", found: "4")
        #expect(problem.description.contains("check character"))
    }

    @Test func everySingleCharacterChangeIsRefused() {
        // The weights (3^i mod 31: 1 3 9 27 19 26 16 …) are all non-zero mod 31, so no single
        // changed character keeps the check character right.
        var codes: [String] = []
        let base = Array("91350100M000100Y43")
        for position in 0..<17 {
            var changed = base
            changed[position] = changed[position] == "1" ? "2" : "1"
            codes.append(String(changed))
        }
        for code in codes { #expect(throws: SocialCreditCode.Problem.self) { try SocialCreditCode(code) } }
    }
}
