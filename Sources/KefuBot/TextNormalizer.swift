import Foundation

/// Puts customer text into one canonical form before tokenising: Unicode NFKC (which also folds full-width to
/// half-width), lower case, traditional Chinese folded to simplified for common characters, whitespace collapsed.
/// Input longer than `maxCharacters` is cut there, so work stays linear and bounded.
public struct TextNormalizer: Sendable {
    /// Characters kept from the start of a message; customer messages are far shorter.
    public static let maxCharacters = 2_000

    public init() {}

    public func normalize(_ text: String) -> String {
        let cut = text.count > Self.maxCharacters ? String(text.prefix(Self.maxCharacters)) : text
        let folded = cut.precomposedStringWithCompatibilityMapping.lowercased()
        var out = String.UnicodeScalarView()
        var lastWasSpace = true
        for scalar in folded.unicodeScalars {
            if scalar.properties.isWhitespace || scalar.value == 0 {
                if !lastWasSpace { out.append(" ") }
                lastWasSpace = true
                continue
            }
            out.append(TraditionalToSimplified.table[scalar.value].flatMap(Unicode.Scalar.init) ?? scalar)
            lastWasSpace = false
        }
        if lastWasSpace, !out.isEmpty { out.removeLast() }
        return Colloquial.fold(String(out))
    }
}

/// Spoken and internet forms customers type, folded to the standard words the training data mostly uses
/// ("啥时候" → "什么时候", "咋办" → "怎么办"). Only unambiguous multi-purpose forms are listed.
enum Colloquial {
    static let forms: [(String, String)] = [
        ("肿么", "怎么"), ("咋", "怎么"), ("神马", "什么"), ("啥", "什么"), ("木有", "没有"), ("没得", "没有"), ("俺", "我"),
        ("酱紫", "这样"), ("介个", "这个"),
    ]

    /// Pinyin initials Chinese shoppers type for common shop words ("kd到哪了" → "快递到哪了"). Only in messages that
    /// contain Chinese, and only as a whole run of Latin letters and digits, so English words are left alone; forms
    /// with a second common meaning (mm: 毫米, hb: 花呗/红包, 88 as a size) are not listed.
    static let initials: [Substring: String] = [
        "kd": "快递", "wl": "物流", "fh": "发货", "dd": "订单", "qx": "取消", "th": "退货", "tk": "退款", "hh": "换货",
        "zfb": "支付宝", "wx": "微信", "fp": "发票", "yhq": "优惠券", "by": "包邮", "yf": "运费", "ts": "投诉",
        "yzm": "验证码", "sjh": "手机号", "rg": "人工", "kf": "客服", "gdz": "改地址", "shdz": "收货地址", "3q": "谢谢",
        "xx": "谢谢", "886": "拜拜",
    ]

    static func fold(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value >= 0x4E00 }) else { return text }
        var out = expandInitials(text)
        for (form, standard) in forms where out.contains(form) {
            out = out.replacingOccurrences(of: form, with: standard)
        }
        return out
    }

    private static func expandInitials(_ text: String) -> String {
        func isLatinOrDigit(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber) }
        guard text.contains(where: isLatinOrDigit) else { return text }
        var out = ""
        var index = text.startIndex
        while index < text.endIndex {
            guard isLatinOrDigit(text[index]) else {
                out.append(text[index])
                index = text.index(after: index)
                continue
            }
            let end = text[index...].firstIndex { !isLatinOrDigit($0) } ?? text.endIndex
            let run = text[index..<end]
            out += initials[run] ?? String(run)
            index = end
        }
        return out
    }
}

/// Traditional → simplified for characters customers commonly type in customer-service messages.
enum TraditionalToSimplified {
    static let table: [UInt32: UInt32] = {
        let pairs = [
            "攜携 寬宽 辦办 儲储 鈴铃 遺遗 掛挂 凍冻 貸贷 繳缴 錶表 鈔钞 兌兑 餽馈 饋馈 絡络 礙碍 聰聪 賒赊 彈弹 跡迹",
            "這这 個个 們们 來来 時时 對对 會会 說说 還还 沒没 麼么 發发 貨货 訂订 單单 號号 碼码 運运 費费 換换 貨货 退退 錢钱 帳账 戶户 帳账",
            "務务 買买 賣卖 價价 額额 優优 惠惠 劵券 點点 開开 關关 閉闭 寄寄 遞递 將将 給给 過过 經经 裡里 麼么 問问 題题 幫帮 請请 謝谢 聯联",
            "繫系 電电 話话 郵邮 箱箱 網网 頁页 登登 錄录 碼码 驗验 證证 綁绑 機机 號号 簡简 體体 繁繁 轉转 務务 員员 傳传 貼贴 圖图 尺尺 寸寸",
            "碼码 顏颜 色色 質质 量量 壞坏 損损 瑕瑕 疵疵 維维 修修 保保 固固 廠厂 商商 專专 櫃柜 實实 際际 應应 該该 為为 麼么 讓让 樣样 種种",
            "類类 產产 品品 庫库 存存 數数 據据 處处 理理 導导 致致 錯错 誤误 響响 應应 慢慢 長长 時时 間间 週周 內内 嗎吗 呢呢 啊啊 吧吧 嘛嘛",
            "喔哦 謝谢 您您 們们 妳你 貴贵 補补 償偿 讚赞 罰罚 車车 輛辆 駕驾 駛驶 計计 劃划 續续 費费 從从 後后 擇择 選选 項项 條条 設设 置置",
            "變变 動动 態态 狀状 況况 確确 認认 預预 約约 門门 鎖锁 讀读 寫写 寶宝 愛爱 塊块 錢钱 銀银 兒儿 頭头 髮发 飯饭 館馆 麵面 飛飞 雙双",
            "歲岁 舊旧 兩两 滿满 減减 紅红 綠绿 藍蓝 黃黄 鞋鞋 襪袜 褲裤 裙裙 襯衬 衫衫 總总 結结 義义 權权 責责 負负 擔担 稅税 鬧闹 氣气 憤愤",
            "騙骗 詐诈 差差 勁劲 爛烂 態态 惡恶 劣劣 催催 急急 馬马 燈灯 偽伪 別别 剛刚 區区 嚨咙 囉啰 國国 圍围 報报 場场 塵尘 媽妈 學学 審审",
            "幣币 幹干 幾几 敗败 東东 業业 標标 橋桥 灣湾 無无 煩烦 現现 禮礼 稱称 筆笔 籤签 組组 統统 絲丝 緊紧 編编 聽听 腦脑 腳脚 薦荐 衝冲",
            "裝装 訴诉 講讲 議议 資资 賞赏 購购 趕赶 較较 進进 達达 邊边 鍋锅 鑑鉴 陳陈 顆颗 顧顾 顯显 罷罢 備备 畢毕 賓宾 參参 倉仓 層层 誠诚",
            "遲迟 齒齿 蟲虫 醜丑 觸触 創创 詞词 帶带 當当 黨党 敵敌 調调 釘钉 頂顶 鬥斗 獨独 斷断 隊队 頓顿 奪夺 爾尔 範范 訪访 紛纷 豐丰 風风",
            "膚肤 婦妇 復复 複复 蓋盖 鋼钢 鞏巩 貢贡 溝沟 構构 穀谷 廣广 歸归 規规 漢汉 賀贺 後后 護护 華华 畫画 歡欢 環环 揮挥 輝辉 匯汇 彙汇",
            "夥伙 獲获 禍祸 擊击 積积 極极 級级 記记 紀纪 濟济 繼继 夾夹 堅坚 揀拣 檢检 見见 鍵键 獎奖 醬酱 膠胶 餃饺 覺觉 階阶 節节 潔洁 屆届",
            "僅仅 盡尽 驚惊 淨净 鏡镜 劇剧 決决 軍军 凱凯 殼壳 課课 懇恳 誇夸 礦矿 虧亏 擴扩 闊阔 蠟蜡 蘭兰 攔拦 欄栏 勞劳 樂乐 淚泪 離离 裏里",
            "歷历 曆历 麗丽 勵励 連连 臉脸 練练 糧粮 涼凉 諒谅 療疗 獵猎 臨临 鄰邻 齡龄 領领 劉刘 龍龙 樓楼 陸陆 驢驴 亂乱 輪轮 論论 羅罗 邏逻",
            "邁迈 麥麦 貓猫 夢梦 彌弥 謎谜 綿绵 廟庙 滅灭 鳴鸣 銘铭 謀谋 納纳 難难 惱恼 擬拟 膩腻 鳥鸟 寧宁 濃浓 農农 諾诺 歐欧 盤盘 賠赔 噴喷",
            "飄飘 頻频 貧贫 蘋苹 憑凭 評评 潑泼 齊齐 騎骑 豈岂 啟启 棄弃 遷迁 簽签 鉛铅 淺浅 牆墙 槍枪 親亲 輕轻 傾倾 慶庆 窮穷 驅驱 趨趋 勸劝",
            "饒饶 熱热 榮荣 軟软 潤润 灑洒 賽赛 傘伞 喪丧 掃扫 殺杀 紗纱 曬晒 閃闪 傷伤 燒烧 紹绍 攝摄 腎肾 聲声 繩绳 勝胜 師师 詩诗 濕湿 識识",
            "蝕蚀 試试 視视 飾饰 勢势 適适 釋释 壽寿 獸兽 書书 輸输 屬属 術术 樹树 帥帅 誰谁 順顺 碩硕 飼饲 鬆松 頌颂 肅肃 雖虽 隨随 孫孙 縮缩",
            "瑣琐 攤摊 貪贪 談谈 嘆叹 湯汤 燙烫 濤涛 討讨 騰腾 鐵铁 廳厅 塗涂 團团 脫脱 駝驼 萬万 偉伟 違违 衛卫 謂谓 聞闻 穩稳 窩窝 臥卧 烏乌",
            "霧雾 戲戏 係系 細细 蝦虾 嚇吓 閒闲 鹹咸 險险 縣县 獻献 線线 憲宪 鄉乡 詳详 銷销 曉晓 協协 脅胁 寫写 興兴 兇凶 懸悬 尋寻 訊讯 詢询",
            "壓压 鴨鸭 亞亚 訝讶 煙烟 嚴严 鹽盐 陽阳 養养 癢痒 謠谣 藥药 爺爷 葉叶 醫医 儀仪 億亿 憶忆 藝艺 譯译 異异 陰阴 飲饮 隱隐 嬰婴 營营",
            "贏赢 擁拥 傭佣 湧涌 遊游 誘诱 魚鱼 餘余 與与 語语 預预 獄狱 譽誉 園园 圓圆 緣缘 遠远 願愿 躍跃 閱阅 雲云 韻韵 雜杂 災灾 載载 贊赞",
            "臟脏 髒脏 棗枣 賊贼 贈赠 紮扎 齋斋 債债 盞盏 棧栈 戰战 張张 漲涨 賬账 趙赵 針针 偵侦 診诊 陣阵 鎮镇 爭争 睜睁 徵征 鄭郑 職职 執执",
            "紙纸 擲掷 滯滞 鐘钟 鍾钟 眾众 軸轴 皺皱 晝昼 豬猪 諸诸 燭烛 囑嘱 築筑 註注 駐驻 磚砖 賺赚 莊庄 壯壮 墜坠 準准 濁浊 縱纵 鑽钻 於于",
            "臺台 颱台 檯台 製制 鬱郁 績绩 織织 標标 廢废 擾扰 騷骚 擋挡 搶抢 撥拨 擔担 據据 撿捡 據据 訊讯 簡简 壓压 鑰钥 匙匙 鏈链 碼码 證证",
            "戶户 卻却 縮缩",
        ].joined(separator: " ")
        var table: [UInt32: UInt32] = [:]
        for pair in pairs.split(separator: " ") {
            let scalars = Array(pair.unicodeScalars)
            if scalars.count == 2, scalars[0] != scalars[1] { table[scalars[0].value] = scalars[1].value }
        }
        return table
    }()
}
