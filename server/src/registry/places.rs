//! Taiwan's geography as the registry sees it: the 22 counties and cities with their real 368
//! townships, ID-number letters and issuing-place codes (past and present), plus synthetic
//! villages and common road names for addresses.

use std::sync::LazyLock;

use chrono::NaiveDate;

/// A county or city (縣市) as it is today.
pub struct County {
    pub name: &'static str,
    /// The first letter of national ID numbers first registered here (today).
    pub letter: char,
    /// The issuing-place code (發證地點代碼) printed on cards issued here today.
    pub issue_site: &'static str,
    /// 鄉鎮市區 with a rough registered population in thousands (the generator's weights).
    pub townships: &'static [(&'static str, u32)],
    /// What the place was before a merger or upgrade; the first rule naming a township wins.
    pub predecessors: &'static [Predecessor],
}

/// A former county or city whose townships are now part of a [`County`]: until `until`,
/// people registered in `townships` (all of them if empty) got `letter` ID numbers and cards
/// issued at `issue_site`. Codes are those of the card's printed place (北縣, 中縣…): the
/// old provincial cities of 臺中 and 臺南 printed 中市 and 南市, today's 66000 and 67000.
pub struct Predecessor {
    pub until: &'static str,
    pub letter: char,
    pub issue_site: &'static str,
    pub townships: &'static [&'static str],
}

#[rustfmt::skip]
const TAICHUNG_CITY: &[&str] = &[
    "中區", "東區", "南區", "西區", "北區", "西屯區", "南屯區", "北屯區",
];
const TAINAN_CITY: &[&str] = &["東區", "南區", "北區", "安南區", "安平區", "中西區"];
#[rustfmt::skip]
const KAOHSIUNG_CITY: &[&str] = &[
    "鹽埕區", "鼓山區", "左營區", "楠梓區", "三民區", "新興區", "前金區", "苓雅區", "前鎮區",
    "旗津區", "小港區",
];

/// Date of the 2010 mergers into special municipalities (新北、臺中、臺南、高雄).
const MERGER_2010: &str = "2010-12-25";

/// Every county and city: the six special municipalities, then the others by place code.
#[rustfmt::skip]
pub static COUNTIES: [County; 22] = [
    County {
        name: "臺北市",
        letter: 'A',
        issue_site: "63000",
        // Ordered as the real 鄉鎮市區代碼 (松山 63000010 … 北投 63000120).
        townships: &[
            ("松山區", 190), ("信義區", 205), ("大安區", 290), ("中山區", 210), ("中正區", 150),
            ("大同區", 120), ("萬華區", 175), ("文山區", 255), ("南港區", 115), ("內湖區", 270),
            ("士林區", 260), ("北投區", 235),
        ],
        predecessors: &[],
    },
    County {
        name: "新北市",
        letter: 'F',
        issue_site: "65000",
        townships: &[
            ("板橋區", 550), ("三重區", 380), ("中和區", 405), ("永和區", 215), ("新莊區", 420),
            ("新店區", 300), ("樹林區", 185), ("鶯歌區", 86), ("三峽區", 117), ("淡水區", 190),
            ("汐止區", 205), ("瑞芳區", 37), ("土城區", 235), ("蘆洲區", 200), ("五股區", 92),
            ("泰山區", 79), ("林口區", 125), ("深坑區", 24), ("石碇區", 8), ("坪林區", 7),
            ("三芝區", 22), ("石門區", 11), ("八里區", 40), ("平溪區", 4), ("雙溪區", 8),
            ("貢寮區", 12), ("金山區", 21), ("萬里區", 21), ("烏來區", 6),
        ],
        predecessors: &[Predecessor { until: MERGER_2010, letter: 'F', issue_site: "10001", townships: &[] }],
    },
    County {
        name: "桃園市",
        letter: 'H',
        issue_site: "68000",
        townships: &[
            ("桃園區", 460), ("中壢區", 430), ("大溪區", 95), ("楊梅區", 180), ("蘆竹區", 175),
            ("大園區", 95), ("龜山區", 170), ("八德區", 210), ("龍潭區", 125), ("平鎮區", 230),
            ("新屋區", 50), ("觀音區", 70), ("復興區", 12),
        ],
        predecessors: &[Predecessor { until: "2014-12-25", letter: 'H', issue_site: "10003", townships: &[] }],
    },
    County {
        name: "臺中市",
        letter: 'B',
        issue_site: "66000",
        townships: &[
            ("中區", 18), ("東區", 75), ("南區", 125), ("西區", 110), ("北區", 140),
            ("西屯區", 235), ("南屯區", 180), ("北屯區", 300), ("豐原區", 165), ("東勢區", 48),
            ("大甲區", 75), ("清水區", 88), ("沙鹿區", 97), ("梧棲區", 60), ("后里區", 54),
            ("神岡區", 64), ("潭子區", 110), ("大雅區", 95), ("新社區", 23), ("石岡區", 14),
            ("外埔區", 31), ("大安區", 18), ("烏日區", 78), ("大肚區", 56), ("龍井區", 78),
            ("霧峰區", 64), ("太平區", 195), ("大里區", 212), ("和平區", 11),
        ],
        predecessors: &[
            Predecessor { until: MERGER_2010, letter: 'B', issue_site: "66000", townships: TAICHUNG_CITY },
            Predecessor { until: MERGER_2010, letter: 'L', issue_site: "10006", townships: &[] },
        ],
    },
    County {
        name: "臺南市",
        letter: 'D',
        issue_site: "67000",
        townships: &[
            ("新營區", 75), ("鹽水區", 24), ("白河區", 27), ("柳營區", 20), ("後壁區", 22),
            ("東山區", 20), ("麻豆區", 44), ("下營區", 23), ("六甲區", 21), ("官田區", 21),
            ("大內區", 9), ("佳里區", 58), ("學甲區", 25), ("西港區", 24), ("七股區", 21),
            ("將軍區", 19), ("北門區", 10), ("新化區", 43), ("善化區", 51), ("新市區", 37),
            ("安定區", 30), ("山上區", 7), ("玉井區", 13), ("楠西區", 9), ("南化區", 8),
            ("左鎮區", 4), ("仁德區", 76), ("歸仁區", 68), ("關廟區", 33), ("龍崎區", 4),
            ("永康區", 235), ("東區", 180), ("南區", 120), ("北區", 130), ("安南區", 200),
            ("安平區", 68), ("中西區", 77),
        ],
        predecessors: &[
            Predecessor { until: MERGER_2010, letter: 'D', issue_site: "67000", townships: TAINAN_CITY },
            Predecessor { until: MERGER_2010, letter: 'R', issue_site: "10011", townships: &[] },
        ],
    },
    County {
        name: "高雄市",
        letter: 'E',
        issue_site: "64000",
        townships: &[
            ("鹽埕區", 22), ("鼓山區", 140), ("左營區", 195), ("楠梓區", 190), ("三民區", 330),
            ("新興區", 48), ("前金區", 26), ("苓雅區", 160), ("前鎮區", 180), ("旗津區", 27),
            ("小港區", 155), ("鳳山區", 350), ("林園區", 68), ("大寮區", 110), ("大樹區", 40),
            ("大社區", 34), ("仁武區", 92), ("鳥松區", 43), ("岡山區", 97), ("橋頭區", 38),
            ("燕巢區", 29), ("田寮區", 7), ("阿蓮區", 28), ("路竹區", 51), ("湖內區", 29),
            ("茄萣區", 29), ("永安區", 14), ("彌陀區", 18), ("梓官區", 35), ("旗山區", 35),
            ("美濃區", 38), ("六龜區", 12), ("甲仙區", 6), ("杉林區", 11), ("內門區", 14),
            ("茂林區", 2), ("桃源區", 4), ("那瑪夏區", 3),
        ],
        predecessors: &[
            Predecessor { until: MERGER_2010, letter: 'E', issue_site: "64000", townships: KAOHSIUNG_CITY },
            Predecessor { until: MERGER_2010, letter: 'S', issue_site: "10012", townships: &[] },
        ],
    },
    County {
        name: "宜蘭縣",
        letter: 'G',
        issue_site: "10002",
        townships: &[
            ("宜蘭市", 95), ("羅東鎮", 70), ("蘇澳鎮", 38), ("頭城鎮", 28), ("礁溪鄉", 35),
            ("壯圍鄉", 24), ("員山鄉", 31), ("冬山鄉", 53), ("五結鄉", 39), ("三星鄉", 20),
            ("大同鄉", 6), ("南澳鄉", 6),
        ],
        predecessors: &[],
    },
    County {
        name: "新竹縣",
        letter: 'J',
        issue_site: "10004",
        townships: &[
            ("竹北市", 210), ("竹東鎮", 96), ("新埔鎮", 33), ("關西鎮", 27), ("湖口鄉", 80),
            ("新豐鄉", 58), ("芎林鄉", 20), ("橫山鄉", 12), ("北埔鄉", 9), ("寶山鄉", 15),
            ("峨眉鄉", 5), ("尖石鄉", 10), ("五峰鄉", 5),
        ],
        predecessors: &[],
    },
    County {
        name: "苗栗縣",
        letter: 'K',
        issue_site: "10005",
        townships: &[
            ("苗栗市", 88), ("苑裡鎮", 44), ("通霄鎮", 33), ("竹南鎮", 88), ("頭份市", 105),
            ("後龍鎮", 35), ("卓蘭鎮", 16), ("大湖鄉", 14), ("公館鄉", 33), ("銅鑼鄉", 17),
            ("南庄鄉", 9), ("頭屋鄉", 10), ("三義鄉", 16), ("西湖鄉", 6), ("造橋鄉", 12),
            ("三灣鄉", 6), ("獅潭鄉", 4), ("泰安鄉", 6),
        ],
        predecessors: &[],
    },
    County {
        name: "彰化縣",
        letter: 'N',
        issue_site: "10007",
        townships: &[
            ("彰化市", 225), ("鹿港鎮", 86), ("和美鎮", 90), ("線西鄉", 16), ("伸港鄉", 38),
            ("福興鄉", 45), ("秀水鄉", 37), ("花壇鄉", 44), ("芬園鄉", 22), ("員林市", 123),
            ("溪湖鎮", 54), ("田中鎮", 40), ("大村鄉", 37), ("埔鹽鄉", 31), ("埔心鄉", 33),
            ("永靖鄉", 35), ("社頭鄉", 41), ("二水鄉", 14), ("北斗鎮", 33), ("二林鎮", 49),
            ("田尾鄉", 26), ("埤頭鄉", 29), ("芳苑鄉", 32), ("大城鄉", 15), ("竹塘鄉", 14),
            ("溪州鄉", 29),
        ],
        predecessors: &[],
    },
    County {
        name: "南投縣",
        letter: 'M',
        issue_site: "10008",
        townships: &[
            ("南投市", 98), ("埔里鎮", 80), ("草屯鎮", 97), ("竹山鎮", 53), ("集集鎮", 10),
            ("名間鄉", 37), ("鹿谷鄉", 17), ("中寮鄉", 14), ("魚池鄉", 15), ("國姓鄉", 17),
            ("水里鄉", 16), ("信義鄉", 16), ("仁愛鄉", 16),
        ],
        predecessors: &[],
    },
    County {
        name: "雲林縣",
        letter: 'P',
        issue_site: "10009",
        townships: &[
            ("斗六市", 108), ("斗南鎮", 43), ("虎尾鎮", 70), ("西螺鎮", 45), ("土庫鎮", 28),
            ("北港鎮", 38), ("古坑鄉", 31), ("大埤鄉", 18), ("莿桐鄉", 28), ("林內鄉", 17),
            ("二崙鄉", 26), ("崙背鄉", 24), ("麥寮鄉", 50), ("東勢鄉", 14), ("褒忠鄉", 12),
            ("臺西鄉", 22), ("元長鄉", 25), ("四湖鄉", 22), ("口湖鄉", 26), ("水林鄉", 25),
        ],
        predecessors: &[],
    },
    County {
        name: "嘉義縣",
        letter: 'Q',
        issue_site: "10010",
        townships: &[
            ("太保市", 38), ("朴子市", 41), ("布袋鎮", 25), ("大林鎮", 30), ("民雄鄉", 70),
            ("溪口鄉", 14), ("新港鄉", 31), ("六腳鄉", 22), ("東石鄉", 23), ("義竹鄉", 17),
            ("鹿草鄉", 15), ("水上鄉", 48), ("中埔鄉", 44), ("竹崎鄉", 34), ("梅山鄉", 18),
            ("番路鄉", 11), ("大埔鄉", 4), ("阿里山鄉", 5),
        ],
        predecessors: &[],
    },
    County {
        name: "屏東縣",
        letter: 'T',
        issue_site: "10013",
        townships: &[
            ("屏東市", 195), ("潮州鎮", 53), ("東港鎮", 47), ("恆春鎮", 29), ("萬丹鄉", 49),
            ("長治鄉", 29), ("麟洛鄉", 11), ("九如鄉", 21), ("里港鄉", 24), ("鹽埔鄉", 25),
            ("高樹鄉", 24), ("萬巒鄉", 20), ("內埔鄉", 53), ("竹田鄉", 16), ("新埤鄉", 9),
            ("枋寮鄉", 23), ("新園鄉", 33), ("崁頂鄉", 15), ("林邊鄉", 17), ("南州鄉", 10),
            ("佳冬鄉", 18), ("琉球鄉", 12), ("車城鄉", 8), ("滿州鄉", 7), ("枋山鄉", 5),
            ("三地門鄉", 7), ("霧臺鄉", 3), ("瑪家鄉", 6), ("泰武鄉", 5), ("來義鄉", 7),
            ("春日鄉", 5), ("獅子鄉", 5), ("牡丹鄉", 5),
        ],
        predecessors: &[],
    },
    County {
        name: "臺東縣",
        letter: 'V',
        issue_site: "10014",
        townships: &[
            ("臺東市", 102), ("成功鎮", 13), ("關山鎮", 8), ("卑南鄉", 16), ("鹿野鄉", 7),
            ("池上鄉", 8), ("東河鄉", 8), ("長濱鄉", 7), ("太麻里鄉", 10), ("大武鄉", 6),
            ("綠島鄉", 4), ("海端鄉", 4), ("延平鄉", 4), ("金峰鄉", 4), ("達仁鄉", 3),
            ("蘭嶼鄉", 5),
        ],
        predecessors: &[],
    },
    County {
        name: "花蓮縣",
        letter: 'U',
        issue_site: "10015",
        townships: &[
            ("花蓮市", 98), ("鳳林鎮", 10), ("玉里鎮", 23), ("新城鄉", 20), ("吉安鄉", 83),
            ("壽豐鄉", 17), ("光復鄉", 12), ("豐濱鄉", 4), ("瑞穗鄉", 11), ("富里鄉", 10),
            ("秀林鄉", 16), ("萬榮鄉", 6), ("卓溪鄉", 6),
        ],
        predecessors: &[],
    },
    County {
        name: "澎湖縣",
        letter: 'X',
        issue_site: "10016",
        townships: &[
            ("馬公市", 63), ("湖西鄉", 15), ("白沙鄉", 10), ("西嶼鄉", 8), ("望安鄉", 5),
            ("七美鄉", 4),
        ],
        predecessors: &[],
    },
    County {
        name: "基隆市",
        letter: 'C',
        issue_site: "10017",
        townships: &[
            ("中正區", 51), ("七堵區", 53), ("暖暖區", 38), ("仁愛區", 42), ("中山區", 46),
            ("安樂區", 79), ("信義區", 52),
        ],
        predecessors: &[],
    },
    County {
        name: "新竹市",
        letter: 'O',
        issue_site: "10018",
        townships: &[("東區", 220), ("北區", 155), ("香山區", 80)],
        // A 新竹縣 town until it became a provincial city.
        predecessors: &[Predecessor { until: "1982-07-01", letter: 'J', issue_site: "10004", townships: &[] }],
    },
    County {
        name: "嘉義市",
        letter: 'I',
        issue_site: "10020",
        townships: &[("東區", 125), ("西區", 140)],
        predecessors: &[Predecessor { until: "1982-07-01", letter: 'Q', issue_site: "10010", townships: &[] }],
    },
    County {
        name: "金門縣",
        letter: 'W',
        issue_site: "09020",
        townships: &[
            ("金城鎮", 44), ("金湖鎮", 40), ("金沙鎮", 21), ("金寧鄉", 32), ("烈嶼鄉", 13),
            ("烏坵鄉", 1),
        ],
        predecessors: &[],
    },
    County {
        name: "連江縣",
        letter: 'Z',
        issue_site: "09007",
        townships: &[("南竿鄉", 8), ("北竿鄉", 3), ("莒光鄉", 2), ("東引鄉", 1)],
        predecessors: &[],
    },
];

/// Common village names; each township takes its own deterministic subset, suffixed 里 (or 村
/// in a 鄉).
#[rustfmt::skip]
const VILLAGE_NAMES: &[&str] = &[
    "中正", "中山", "中華", "中興", "中和", "中平", "中原", "中央", "民生", "民權", "民族", "民有",
    "民享", "民主", "民安", "民富", "仁愛", "信義", "和平", "忠孝", "光明", "光復", "光華", "福德",
    "福安", "福興", "福林", "永安", "永和", "永興", "永福", "永平", "永樂", "永康", "新興", "新生",
    "新和", "新安", "新民", "新村", "新莊", "新埔", "東興", "東勢", "東門", "東光", "東榮", "東明",
    "東安", "東昌", "西門", "西勢", "西安", "西湖", "西河", "南門", "南勢", "南興", "南華", "南榮",
    "南港", "北門", "北勢", "北興", "大同", "大安", "大興", "大和", "大德", "大有", "大明", "大埔",
    "大湖", "大林", "長春", "長安", "長興", "長壽", "復興", "復華", "文化", "文昌", "文山", "文林",
    "建國", "建成", "建興", "建功", "興仁", "興南", "興化", "興隆", "興業", "仁德", "仁和", "仁義",
    "仁美", "德和", "德興", "德安", "明德", "明仁", "明志", "華興", "華山", "華盛", "昌平", "昌隆",
    "太平", "太和", "安和", "安平", "安樂", "安康", "安泰", "平和", "平安", "平等", "保安", "保和",
    "富強", "富貴", "富興", "吉祥", "吉安", "龍山", "龍興", "龍安", "龍泉", "鳳山", "鳳鳴", "鳳翔",
    "青山", "青田", "竹林", "竹圍", "竹園", "後埔", "後庄", "頂埔", "下埔", "港口", "港南", "溪洲",
    "溪南", "溪頭", "山腳", "五福", "六合", "三民", "四維", "八德", "九如", "公館", "崙頂", "社口",
    "埔頂", "田心", "田中", "水源", "海山", "海口", "湖東", "湖西", "林口", "林厝", "石門", "石牌",
    "金山", "金華", "玉山", "翠山", "松山", "松柏", "桃源", "梅山", "蘭雅", "瑞光", "成功", "勝利",
    "自強", "自立", "自由", "正義", "公正", "至善", "博愛", "樂業", "秀山", "秀朗", "萬福", "萬安",
    "萬年", "慶安", "慶豐", "豐年", "豐原", "豐田", "雙溪", "清水", "清溪", "頂寮", "下寮", "南華",
    "鎮南", "鎮北", "育英", "崇德", "崇文", "振興", "集賢", "聚福", "厚德", "重慶", "延平", "中庄",
    "內湖", "外埔", "溪埔", "新庄", "舊社", "社子", "三合", "四季", "聖德", "協和", "同安", "同德",
];

/// Common road names (the 段 is added separately where the road has sections).
#[rustfmt::skip]
const ROADS: &[(&str, u32)] = &[
    ("中山路", 60), ("中正路", 60), ("民生路", 30), ("民權路", 25), ("民族路", 25), ("中華路", 30),
    ("復興路", 25), ("建國路", 25), ("忠孝路", 15), ("仁愛路", 20), ("信義路", 20), ("和平路", 20),
    ("光復路", 20), ("成功路", 25), ("自由路", 20), ("文化路", 25), ("公園路", 15), ("大同路", 20),
    ("光明路", 20), ("三民路", 25), ("四維路", 12), ("五福路", 10), ("博愛路", 15), ("林森路", 15),
    ("新生路", 12), ("長安路", 10), ("八德路", 10), ("延平路", 15), ("中興路", 25), ("府前路", 8),
    ("自強路", 15), ("勝利路", 10), ("青年路", 12), ("大學路", 8), ("育英路", 8), ("永和路", 8),
    ("福德路", 10), ("環河路", 8), ("中央路", 12), ("民主路", 8), ("正義路", 10), ("興隆路", 8),
    ("永福路", 8), ("新興路", 10), ("光華路", 8), ("華興街", 6), ("忠孝東路", 15), ("南京東路", 12),
    ("民生東路", 10), ("中山北路", 12), ("復興南路", 10), ("和平東路", 10), ("羅斯福路", 8),
    ("重慶南路", 6), ("敦化北路", 5), ("基隆路", 8), ("文心路", 8), ("公益路", 6), ("健行路", 6),
    ("英才路", 5), ("五權路", 8), ("崇德路", 8), ("太原路", 5), ("永華路", 6), ("開元路", 6),
    ("東寧路", 5), ("北門路", 6), ("九如路", 8), ("十全路", 5), ("七賢路", 6), ("建工路", 5),
    ("中華街", 8), ("仁愛街", 8), ("民族街", 6), ("中山街", 10), ("中正街", 10), ("新生街", 6),
    ("成功街", 6), ("和平街", 8), ("文化街", 6), ("光明街", 6), ("市場街", 4), ("明德路", 6),
    ("經國路", 6), ("介壽路", 10), ("縣府路", 5), ("站前路", 5), ("環中路", 5), ("環東路", 5),
];

/// Roads long enough to be divided into sections (段).
#[rustfmt::skip]
const SECTIONED: &[&str] = &[
    "中山路", "中正路", "民生路", "民權路", "民族路", "中華路", "復興路", "建國路", "忠孝路",
    "仁愛路", "信義路", "和平路", "光復路", "成功路", "文化路", "三民路", "中興路", "忠孝東路",
    "南京東路", "民生東路", "中山北路", "復興南路", "和平東路", "羅斯福路", "重慶南路",
    "基隆路", "文心路", "五權路", "崇德路", "永華路", "九如路", "七賢路", "經國路", "介壽路",
];

/// The fixed, seed-independent facts about one township, computed once.
pub struct TownshipInfo {
    pub county: usize,
    pub name: &'static str,
    pub weight: u32,
    /// 鄉鎮市區代碼-shaped code: county code + 3 digits; also the household office's code.
    pub code: String,
    /// Villages (with their 里/村 suffix) and how many 鄰 each has.
    pub villages: Vec<(String, u32)>,
    /// `(until, letter, issue_site)` rules that applied to this township in the past, oldest
    /// first; dates as days from the common era.
    history: Vec<(i32, char, &'static str)>,
}

impl TownshipInfo {
    pub fn county(&self) -> &'static County {
        &COUNTIES[self.county]
    }

    /// The ID-number letter for someone first registered here on `day`.
    pub fn letter_on(&self, day: i32) -> char {
        self.history
            .iter()
            .find(|(until, _, _)| day < *until)
            .map_or(self.county().letter, |(_, letter, _)| *letter)
    }

    /// The issuing-place code of a card issued here on `day`.
    pub fn issue_site_on(&self, day: i32) -> &'static str {
        self.history
            .iter()
            .find(|(until, _, _)| day < *until)
            .map_or(self.county().issue_site, |(_, _, site)| site)
    }

    /// The household office (戶政事務所) serving this township.
    pub fn office_name(&self) -> String {
        format!("{}{}戶政事務所", self.county().name, self.name)
    }
}

/// All 368 townships, in county order.
pub static TOWNSHIPS: LazyLock<Vec<TownshipInfo>> = LazyLock::new(|| {
    let mut all = Vec::new();
    for (county_index, county) in COUNTIES.iter().enumerate() {
        for (i, &(name, weight)) in county.townships.iter().enumerate() {
            let history = county
                .predecessors
                .iter()
                .filter(|p| p.townships.is_empty() || p.townships.contains(&name))
                .map(|p| (day_number(p.until), p.letter, p.issue_site))
                .collect();
            all.push(TownshipInfo {
                county: county_index,
                name,
                weight,
                code: format!("{}{:03}", county.issue_site, (i + 1) * 10),
                villages: villages_of(all.len() as u64, name, weight),
                history,
            });
        }
    }
    all
});

/// The township named `township` in `county`, if it exists.
pub fn find_township(county: &str, township: &str) -> Option<&'static TownshipInfo> {
    TOWNSHIPS
        .iter()
        .find(|t| t.name == township && t.county().name == county)
}

/// A township's villages: roughly one per 4,000 residents, names drawn without repetition
/// by a fixed shuffle, so geography is the same whatever the generator's seed.
fn villages_of(township_index: u64, township: &str, weight: u32) -> Vec<(String, u32)> {
    let suffix = if township.ends_with('鄉') {
        '村'
    } else {
        '里'
    };
    let count = (weight / 4).clamp(4, 120) as usize;
    let mut pool: Vec<&str> = VILLAGE_NAMES.to_vec();
    pool.sort_unstable();
    pool.dedup();
    let mut state = township_index.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5EED;
    let mut next = || {
        state = splitmix64(state);
        state
    };
    for i in 0..count.min(pool.len()) {
        let j = i + (next() % (pool.len() - i) as u64) as usize;
        pool.swap(i, j);
    }
    pool.truncate(count);
    pool.iter()
        .map(|v| (format!("{v}{suffix}"), 8 + (next() % 23) as u32))
        .collect()
}

/// One step of the SplitMix64 sequence: a fixed, portable mixer.
pub(crate) fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Days from the common era of a `YYYY-MM-DD` literal in this file.
pub(crate) fn day_number(date: &str) -> i32 {
    use chrono::Datelike;
    NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .expect("dates in the place tables are valid")
        .num_days_from_ce()
}

/// Road names with their weights, and whether each may carry a 段.
pub fn roads() -> impl Iterator<Item = (&'static str, u32, bool)> {
    ROADS
        .iter()
        .map(|&(road, weight)| (road, weight, SECTIONED.contains(&road)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f1_all_368_townships_of_22_counties() {
        assert_eq!(COUNTIES.len(), 22);
        assert_eq!(TOWNSHIPS.len(), 368);
        let mut codes: Vec<&str> = TOWNSHIPS.iter().map(|t| t.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 368, "office codes are unique");
        for county in &COUNTIES {
            let mut names: Vec<&str> = county.townships.iter().map(|t| t.0).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), county.townships.len(), "{}", county.name);
        }
    }

    /// The forms' list of counties (`app::domain::county`) is the registry's, in its order.
    #[test]
    fn f1_the_forms_name_the_registrys_counties() {
        let registry: Vec<&str> = COUNTIES.iter().map(|county| county.name).collect();
        let forms: Vec<&str> = app::domain::county::COUNTIES
            .iter()
            .map(|(name, _)| *name)
            .collect();
        assert_eq!(forms, registry);
    }

    #[test]
    fn f1_villages_are_distinct_within_a_township() {
        for t in TOWNSHIPS.iter() {
            let mut names: Vec<&str> = t.villages.iter().map(|v| v.0.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(
                names.len(),
                t.villages.len(),
                "{}{}",
                t.county().name,
                t.name
            );
        }
    }

    #[test]
    fn f1_issue_sites_follow_the_mergers() {
        let fengyuan = find_township("臺中市", "豐原區").unwrap();
        assert_eq!(fengyuan.issue_site_on(day_number("2005-03-01")), "10006");
        assert_eq!(fengyuan.letter_on(day_number("1980-03-01")), 'L');
        assert_eq!(fengyuan.issue_site_on(day_number("2010-12-25")), "66000");
        assert_eq!(fengyuan.letter_on(day_number("2011-01-01")), 'B');
        // Cards of the old provincial city already read 中市, the code of today's 臺中市.
        let xitun = find_township("臺中市", "西屯區").unwrap();
        assert_eq!(xitun.issue_site_on(day_number("2005-03-01")), "66000");
        assert_eq!(xitun.letter_on(day_number("1980-03-01")), 'B');
        let banqiao = find_township("新北市", "板橋區").unwrap();
        assert_eq!(banqiao.issue_site_on(day_number("2010-12-24")), "10001");
        assert_eq!(banqiao.code, "65000010");
        let daan = find_township("臺北市", "大安區").unwrap();
        assert_eq!(daan.code, "63000030");
        assert_eq!(daan.office_name(), "臺北市大安區戶政事務所");
        assert_eq!(daan.issue_site_on(day_number("1990-01-01")), "63000");
    }
}
