/// How volume figures are written for people: 亿元 (10⁸ yuan) with two decimals, shares in percent.
public enum VolumeText {
    /// Fen in 亿元 to two decimals, rounded half away from zero: 2_500_000_000_00 fen → "25.00".
    public static func yi(_ fen: Int64) -> String {
        // One hundredth of 亿元 is 10⁶ yuan, 10⁸ fen.
        let unit: Int64 = 100_000_000
        let magnitude = fen.magnitude
        let hundredths = (magnitude + UInt64(unit / 2)) / UInt64(unit)
        let fraction = hundredths % 100
        return (fen < 0 && hundredths > 0 ? "-" : "") + "\(hundredths / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }

    /// A ratio as a percentage to one decimal: 0.5123 → "51.2%".
    public static func percent(_ ratio: Double) -> String {
        let tenths = (ratio * 1000).rounded()
        guard tenths.isFinite, abs(tenths) < 1e12 else { return "—" }
        let value = Int64(tenths)
        return (value < 0 ? "-" : "") + "\(value.magnitude / 10).\(value.magnitude % 10)%"
    }

    /// What a forecast method is called.
    public static func method(_ method: VolumeReport.ForecastMethod) -> String {
        switch method {
        case .seasonal: return "按往年同期进度推算"
        case .straightLine: return "按日均直线推算"
        case .final: return "全年已结束"
        case .notStarted: return "年度未开始"
        }
    }

    /// What a target's source is called.
    public static func source(_ source: VolumeReport.TargetSource) -> String {
        switch source {
        case .plan: return "规划目标"
        case .planExtended: return "规划增速延伸"
        case .set: return "主管部门设定"
        }
    }
}
