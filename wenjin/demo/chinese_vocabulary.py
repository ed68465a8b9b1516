"""Word and data tables for the synthetic Chinese records of ``chinese_records``.

Plain data: publishers with their places and ISBN prefixes, the adult, children's and
English-language topics with their CLC classes and 606 headings, the nationalities of
translated books, and the words from which titles, names, summaries and series are put
together. ``chinese_records`` parses the tables and draws from the lists with its own random
generator, so any change here changes the generated records.
"""

from __future__ import annotations


def _words(text: str, separator: str | None = None) -> list[str]:
    return text.split(separator)


def _pairs(**groups: str) -> dict[str, list[tuple[str, str]]]:
    """{"eng": "约翰 John|艾米莉 Emily"} → {"eng": [("约翰", "John"), ("艾米莉", "Emily")]}."""
    return {
        key: [tuple(pair.split(" ", 1)) for pair in text.split("|")] for key, text in groups.items()
    }


# --- Publishers ---------------------------------------------------------------------------
# name|place|administrative region code (for 102 $b)|ISBN registrant prefixes after 978-7-|tags
# The prefixes are realistic in form; they are not a reference list.
PUBLISHER_TABLE = """
人民出版社|北京|110000|01|pol hum
人民文学出版社|北京|110000|02|lit fnov
科学出版社|北京|110000|03|sci med agri
高等教育出版社|北京|110000|04|sci tech edu lang
商务印书馆|北京|110000|100|hum lang soc
中华书局|北京|110000|101|hum cls
人民美术出版社|北京|110000|102|art
生活·读书·新知三联书店|北京|110000|108|hum soc lit
中国农业出版社|北京|110000|109|agri
机械工业出版社|北京|110000|111|tech eco
中国建筑工业出版社|北京|110000|112|arch
中国铁道出版社|北京|110000|113|traffic
人民交通出版社|北京|110000|114|traffic
人民邮电出版社|北京|110000|115|tech art
人民卫生出版社|北京|110000|117|med
电子工业出版社|北京|110000|121|tech
化学工业出版社|北京|110000|122|tech agri life
中国人民大学出版社|北京|110000|300|soc eco law
北京大学出版社|北京|110000|301|hum soc eco lang sci
清华大学出版社|北京|110000|302|tech sci eco
中国中医药出版社|北京|110000|5132|med
中信出版社|北京|110000|5217 5086|eco gen popsci
外语教学与研究出版社|北京|110000|5135 5600|lang
法律出版社|北京|110000|5197 5118|law
解放军出版社|北京|110000|5065|mil
航空工业出版社|北京|110000|5165|aero
中国宇航出版社|北京|110000|5159|aero
中国环境出版集团|北京|110000|5111|env
作家出版社|北京|110000|5212 5063|lit
中国青年出版社|北京|110000|5153 5006|gen lit popsci
中国摄影出版社|北京|110000|5179|art
人民体育出版社|北京|110000|5009|sport
文物出版社|北京|110000|5010|hum
中国社会科学出版社|北京|110000|5227 5203|soc hum pol
社会科学文献出版社|北京|110000|5228 5201|soc hum eco
中国少年儿童出版社|北京|110000|5148 5007|kid
上海人民出版社|上海|310000|208|hum soc pol
上海译文出版社|上海|310000|5327|fnov hum
上海古籍出版社|上海|310000|5732 5325|cls hum
上海科学技术出版社|上海|310000|5478 5323|sci med popsci
华东师范大学出版社|上海|310000|5760 5675|edu
少年儿童出版社|上海|310000|5589 5324|kid
上海外语教育出版社|上海|310000|5446|lang
广东人民出版社|广州|440000|218|gd hum pol soc
花城出版社|广州|440000|5360|lit gd
广东科技出版社|广州|440000|5359 5918|sci med agri life popsci
广东教育出版社|广州|440000|5548 5406|edu gd
岭南美术出版社|广州|440000|5362|art gd
广东旅游出版社|广州|440000|5570|travel gd life
广东经济出版社|广州|440000|5454|eco gd
中山大学出版社|广州|440000|306|hum soc gd
暨南大学出版社|广州|440000|5668 5810|hum soc gd lang
华南理工大学出版社|广州|440000|5623|tech arch
南方日报出版社|广州|440000|5491|gd gen
羊城晚报出版社|广州|440000|5543|gd gen life
新世纪出版社|广州|440000|5583 5405|kid
译林出版社|南京|320000|5753 5447|fnov lit
江苏凤凰科学技术出版社|南京|320000|5713 5537|sci life med popsci
江苏凤凰少年儿童出版社|南京|320000|5584 5346|kid
南京大学出版社|南京|320000|305|hum soc
浙江人民出版社|杭州|330000|213|hum soc eco
浙江少年儿童出版社|杭州|330000|5597 5342|kid
浙江大学出版社|杭州|330000|308|tech sci edu
湖南文艺出版社|长沙|430000|5726 5404|lit
岳麓书社|长沙|430000|5538|cls hum
湖南少年儿童出版社|长沙|430000|5562 5358|kid
四川人民出版社|成都|510000|220|hum soc
天地出版社|成都|510000|5455|gen lit travel
四川科学技术出版社|成都|510000|5727 5364|sci life med sport
长江文艺出版社|武汉|420000|5702 5354|lit
湖北人民出版社|武汉|420000|216|hum soc
长江少年儿童出版社|武汉|420000|5721 5560|kid
华中科技大学出版社|武汉|420000|5680 5609|tech arch
武汉大学出版社|武汉|420000|307|hum soc
接力出版社|南宁|450000|5448 5863|kid
二十一世纪出版社|南昌|360000|5568 5391|kid
"""
# Publishers of English-language books: name|place|prefixes
ENGLISH_PUBLISHER_TABLE = """
Foreign Language Teaching and Research Press|Beijing|5135 5600
Shanghai Foreign Language Education Press|Shanghai|5446
World Publishing Corporation|Beijing|5192 5062
Tsinghua University Press|Beijing|302
Peking University Press|Beijing|301
China Machine Press|Beijing|111
Posts & Telecom Press|Beijing|115
Higher Education Press|Beijing|04
Foreign Languages Press|Beijing|119
Sun Yat-sen University Press|Guangzhou|306
Jinan University Press|Guangzhou|5668 5810
"""
ENGLISH_REGION = {"Beijing": "110000", "Shanghai": "310000", "Guangzhou": "440000"}


# --- Topics -------------------------------------------------------------------------------
# weight|CLC|kind|606 heading|$y (""; a fixed place; "?" sometimes China or Guangdong;
# "粤" sometimes Guangdong)|$z (""; a fixed period; "?" sometimes a period)|title styles
# (a academic, p popular, r practical)|publisher tags|title words
# Kinds: nf non-fiction, nov novel, sto short stories, prose, poem, fnov translated novel,
# bio biography, ybk yearbook.
ADULT_TOPICS = """
1|A81|nf|马克思主义|?||a|pol|马克思主义哲学 唯物史观 《资本论》 《共产党宣言》 马克思主义基本原理
1|A84|nf|毛泽东思想|||a|pol|毛泽东思想 《实践论》 《矛盾论》 《论持久战》
2|B222.2|nf|儒家|中国|?|ap|hum cls|论语 孔子 孟子 儒家思想 仁学 礼学
1|B223|nf|道家|中国|?|ap|hum cls|老子 庄子 道家思想 道德经
2|B84|nf|心理学|||apr|soc popsci|心理学 情绪 认知 人格 记忆 幸福感 社会心理
1|B821|nf|人生哲学|||pr|gen|人生 自我 生活哲学 人生智慧 独处
1|B5|nf|西方哲学|||a|hum|西方哲学 古希腊哲学 存在主义 现象学 分析哲学
1|B946.5|nf|禅宗|中国|?|ap|hum gd|禅宗 六祖坛经 禅宗文化 佛教艺术
1|B81|nf|逻辑|||ar|gen hum|逻辑学 批判性思维 思维方法 推理
2|C91|nf|社会学|?||ap|soc|社会学 社会结构 社区 城市社会 乡村社会 社会变迁 人口
1|C93|nf|管理学|||ar|soc eco|管理学 组织行为 领导力 决策
1|C8|nf|统计学|||ar|sci soc|统计学 统计方法 抽样调查 社会调查
2|D923|nf|民法|中国||ar|law|民法典 合同法 物权 婚姻家庭法 继承法 侵权责任
1|D924|nf|刑法|中国||ar|law|刑法 刑事诉讼 犯罪学 刑事案例
1|D922.5|nf|劳动法|中国||r|law|劳动合同 社会保险 劳动争议
1|D669.3|nf|社区管理|粤||ar|soc gd|社区治理 社区服务 基层治理 志愿服务
1|D82|nf|外交|中国|?|ap|pol|外交 国际关系 外交史 一带一路
1|D61|nf|中国特色社会主义|中国||ap|pol|中国特色社会主义 新时代 乡村振兴 共同富裕
1|E29|nf|军事史|中国|?|ap|mil|军事史 古代战争 战役 海战
1|E892|nf|兵法|中国|古代|ap|mil cls|孙子兵法 兵书 谋略
1|E92|nf|武器|||p|mil|武器 舰船 坦克 战斗机 枪械
1|E8|nf|战略|||a|mil|战略学 军事思想 国防
3|F830|nf|金融|?||apr|eco|金融 货币 银行 金融学 金融科技
3|F830.59|nf|投资|||pr|eco|投资 股票 基金 理财 价值投资 财富
2|F272|nf|企业管理|||apr|eco|企业管理 创业 商业模式 战略管理 团队管理
2|F713.50|nf|市场营销|||r|eco|营销 品牌 市场营销 新媒体营销 用户增长
1|F713.36|nf|电子商务|中国||r|eco|电子商务 直播电商 跨境电商
2|F12|nf|经济|中国|?|ap|eco soc|中国经济 经济改革 经济发展 宏观经济
1|F0|nf|经济学|||ap|eco|经济学 微观经济学 宏观经济学 行为经济学
1|F127.65|nf|区域经济|广东||ap|eco gd|广东经济 珠三角 粤港澳大湾区 岭南商帮
1|F23|nf|会计|||r|eco|会计 财务管理 审计 成本会计
1|F590|nf|旅游业|中国||ar|eco travel|旅游业 文旅融合 旅游管理
4|G78|nf|家庭教育|||pr|edu gen|家庭教育 亲子沟通 好父母 育儿 正面管教 家风
2|G44|nf|儿童心理学|||apr|edu|儿童心理 青春期 学习心理 孩子的情绪
2|G61|nf|学前教育|||r|edu|幼儿教育 幼儿园 早期教育 绘本阅读
2|G62|nf|小学教育|||r|edu|小学语文 小学数学 阅读与写作 作文
1|G63|nf|中学教育|||r|edu|中学语文 高考 中学物理 学习方法
2|G4|nf|教育|中国||a|edu|教育学 教育 课程与教学 教师 教育改革
1|G40-092|nf|教育史|中国|?|a|edu hum|教育史 书院 科举
2|G891.3|nf|围棋|||pr|sport|围棋 定式 死活 布局 官子
1|G891.2|nf|中国象棋|||pr|sport|象棋 象棋残局 象棋开局
2|G852|nf|武术|中国||pr|sport gd|武术 太极拳 咏春拳 南拳 八段锦
1|G84|nf|球类运动|||pr|sport|篮球 足球 羽毛球 乒乓球
1|G883|nf|健身运动|||r|sport life|健身 跑步 马拉松 瑜伽
1|G258.2|nf|公共图书馆|?||ap|hum gd|公共图书馆 图书馆 阅读推广 全民阅读
3|G127.65|nf|地方文化|广东|?|ap|gd|岭南文化 广府文化 客家文化 潮汕文化 广府 岭南 西关
1|G206|nf|传播学|||a|soc|传播学 新闻传播 新媒体 媒介
2|H31|nf|英语|||r|lang|英语 英语语法 英语词汇 英语口语 英语写作
1|H319.4|nf|英语|||r|lang|英语阅读 双语读物 英语短文
1|H36|nf|日语|||r|lang|日语 日语语法 日语会话
2|H1|nf|汉语|||ar|lang hum|汉语 现代汉语 古代汉语 汉字 成语
1|H178|nf|粤语|||ap|lang gd|粤语 广州话 粤方言
1|H15|nf|写作|||r|lang|写作 公文写作 修辞 应用文
1|H195|nf|对外汉语教学|||r|lang|对外汉语 汉语教学 国际中文教育
9|I247.5|nov|长篇小说|中国|当代||lit|
4|I247.7|sto|中篇小说|中国|当代||lit|
3|I267|prose|散文集|中国|当代||lit|
1|I227|poem|诗集|中国|当代||lit|
1|I246.5|nov|长篇小说|中国|现代||lit cls|
4|I561.45|fnov|长篇小说||现代||fnov|
2|I207.22|nf|唐诗|||ap|lit cls hum|唐诗 盛唐诗歌 唐人绝句 边塞诗
2|I207.23|nf|宋词|||ap|lit cls hum|宋词 婉约词 豪放词 宋词名篇
1|I207.41|nf|古典小说|||ap|lit cls hum|《红楼梦》 《水浒传》 《三国演义》 《西游记》
1|I206.7|nf|中国文学|中国|当代|a|lit hum|当代文学 网络文学 文学批评
1|I222|nf|古典诗歌|中国|古代|p|lit cls|诗经 楚辞 古诗词 乐府诗
2|J825|nf|粤剧|||ap|gd art|粤剧 粤曲 粤剧艺术 岭南戏曲
2|J41|nf|摄影艺术|||pr|art|摄影 数码摄影 手机摄影 人像摄影 风光摄影
2|J212|nf|中国画|||pr|art|国画 写意花鸟 山水画 工笔画
2|J292.1|nf|汉字|||pr|art|书法 楷书 行书 隶书 硬笔书法
1|J609.2|nf|音乐史|中国|?|a|art hum|中国音乐 古琴 岭南音乐 广东音乐
1|J624.1|nf|钢琴|||r|art|钢琴 钢琴入门 钢琴演奏
1|J905|nf|电影|||a|art|电影 电影艺术 纪录片
1|J218.2|nf|漫画|||pr|art|漫画 连环画 插画
1|J523.6|nf|刺绣|粤||ap|art gd|广绣 广彩 剪纸 工艺美术
1|J7|nf|舞蹈|||ap|art|舞蹈 民族舞 舞蹈艺术
4|K296.5|nf|地方史|广东|?|ap|gd hum|广州 广府 岭南 十三行 西关 珠江 骑楼 海上丝绸之路
2|K20|nf|中国历史|||ap|hum cls|中国历史 中国古代史 中华文明 中国通史
1|K242|nf|中国历史|||ap|hum cls|唐朝 大唐 唐代社会
1|K244|nf|中国历史|||ap|hum cls|宋朝 宋代 两宋
1|K248|nf|中国历史|||ap|hum cls|明朝 明代
1|K249|nf|中国历史|||ap|hum cls|清朝 清代
2|K25|nf|中国历史|||ap|hum|近代中国 晚清 鸦片战争 辛亥革命
1|K26|nf|中国历史|||ap|hum|抗战 民国 五四运动
3|K825.6|bio|作家|中国|当代||hum lit|
2|K928.9|nf|旅游指南|中国||r|travel gen|旅行 自驾游 徒步 古镇 丝绸之路 江南水乡 川西 海岛
2|K203|nf|中华文化|||ap|hum cls|传统文化 中华文化 国学 二十四节气
1|K892|nf|风俗习惯|?||ap|hum gd|民俗 岁时节令 传统节日 广府民俗
1|K87|nf|考古|中国||ap|hum|考古 文物 青铜器 陶瓷 古代玉器
1|K1|nf|世界史|||ap|hum|世界历史 全球史 文明
1|K50|nf|欧洲|||ap|hum|欧洲 古罗马 文艺复兴
1|K313|nf|日本|||ap|hum|日本 日本文化
1|K90|nf|地理学|||ap|hum sci|地理 人文地理 城市地理
1|Z52|ybk|年鉴||||gd|
2|N49|nf|自然科学|||p|popsci sci|科学 科学常识 身边的科学 科学思维
1|N092|nf|自然科学史|中国||ap|sci hum|中国科技史 古代科技 四大发明
1|N91|nf|博物学|||p|popsci|博物学 自然观察 自然笔记
1|O1|nf|数学|||apr|sci|数学 数学思维 微积分 线性代数 几何
1|O4|nf|物理学|||ap|sci popsci|物理学 量子力学 相对论 光学
1|O6|nf|化学|||ap|sci|化学 有机化学 元素
1|O21|nf|概率论|||ar|sci|概率论 数理统计 随机过程
2|P1|nf|天文学|||ap|sci popsci|天文 星空 宇宙 黑洞 太阳系
1|P159|nf|宇宙学|||ap|sci popsci|宇宙 宇宙起源 暗物质
1|P4|nf|气象学|||ap|sci|天气 气象 台风 气候变化
1|P5|nf|地质学|||ap|sci|地质 岩石 化石 地球
1|P7|nf|海洋学|||ap|sci popsci|海洋 深海 海洋科学 南海
1|P315|nf|地震|||pr|sci|地震 防震减灾
2|Q95|nf|动物|||ap|sci popsci|动物 鸟类 昆虫 海洋动物 哺乳动物
2|Q94|nf|植物|粤||ap|sci popsci|植物 花草 树木 岭南植物 野花
1|Q11|nf|进化论|||ap|sci popsci|进化 生命起源 生命
1|Q3|nf|遗传学|||ap|sci|基因 遗传 基因编辑
1|Q98|nf|人类学|||ap|sci hum|人类起源 人类学
3|R2|nf|中医学|||apr|med|中医 中医基础理论 经络 伤寒论
1|R245|nf|针灸疗法|||r|med|针灸 推拿 穴位 刮痧
2|R212|nf|养生|||pr|med life|中医养生 养生 四季养生 药膳
1|R28|nf|中药学|粤||ap|med|中药 本草 岭南草药 凉茶
2|R151|nf|营养学|||pr|med life|营养 膳食 营养学 健康饮食
1|R153.2|nf|儿童|||r|med edu|儿童营养 婴幼儿喂养 辅食
1|R174|nf|儿童保健|||r|med edu|儿童保健 育儿百科 新生儿护理
1|R395.6|nf|心理卫生|||pr|med popsci|心理健康 焦虑 抑郁 压力
1|R161|nf|保健|||pr|med life|健康 长寿 养生保健 睡眠
1|R5|nf|内科|||r|med|高血压 糖尿病 慢性病 痛风
1|R473|nf|护理学|||r|med|护理 家庭护理 老年护理
2|S68|nf|园艺|||pr|agri life|园艺 花卉 盆景 多肉植物 阳台种花 家庭园艺
1|S63|nf|蔬菜园艺|||r|agri life|蔬菜 阳台种菜 有机蔬菜
1|S66|nf|果树园艺|粤||r|agri|荔枝 龙眼 果树栽培 岭南佳果
1|S571.1|nf|茶叶|||pr|agri life|茶 茶叶 凤凰单丛 乌龙茶 普洱茶
1|S865.3|nf|宠物|||r|agri life|宠物 猫 狗 宠物饲养
1|S9|nf|水产养殖|||r|agri|水产养殖 渔业 海水养殖
1|S3|nf|农业|中国||ap|agri|农业 乡村 农耕 智慧农业
3|TP18|nf|人工智能|||apr|tech popsci|人工智能 机器学习 深度学习 大模型 神经网络 智能体
2|TP311.561|nf|软件工具|||r|tech|Python编程 Python数据分析 Python
1|TP311.13|nf|数据库系统|||ar|tech|数据库 SQL 数据库系统 数据仓库
2|TP274|nf|数据处理|||apr|tech eco|大数据 数据分析 数据治理 数据
1|TP393|nf|计算机网络|||ar|tech|计算机网络 网络安全 互联网
1|TP391.41|nf|图像处理|||r|tech art|图像处理 计算机视觉 Photoshop
1|TP301.6|nf|算法|||ar|tech|算法 数据结构 编程
1|TP242|nf|机器人|||ap|tech popsci|机器人 智能机器人
1|TN929.5|nf|移动通信|||ar|tech|5G 移动通信 物联网
1|TN4|nf|集成电路|||ap|tech|芯片 集成电路 半导体
2|TU-092|nf|建筑史|中国|?|ap|arch hum gd|中国建筑 古建筑 岭南建筑 骑楼 祠堂
1|TU986|nf|园林|?||ap|arch|园林 岭南园林 古典园林
1|TU238|nf|室内装饰设计|||r|arch life|室内设计 家装 软装
1|TU984|nf|城市规划|中国||a|arch soc|城市 城市规划 城市更新
2|TS972.1|nf|烹饪|||r|life gd|粤菜 家常菜 烹饪 烘焙 早茶 广式点心 老火汤
1|TS941|nf|服装设计|||r|life art|服装设计 时装 服饰
1|TS976|nf|家庭生活|||r|life|家居收纳 整理 家务
1|TH122|nf|机械设计|||r|tech|机械设计 机械制图
1|TM|nf|电工|||r|tech|电工 电气控制
1|TK|nf|能源|||ap|tech sci|新能源 光伏 储能 氢能
1|TB472|nf|工业设计|||ar|tech art|工业设计 产品设计
1|U469.72|nf|电动汽车|||pr|traffic tech|新能源汽车 电动汽车 汽车
1|U239.5|nf|地下铁道|||ap|traffic|地铁 城市轨道交通
1|U238|nf|高速铁路|中国||ap|traffic|高铁 铁路
1|U6|nf|水路运输|||ap|traffic|航运 港口 船舶
1|U491|nf|城市交通|||a|traffic|交通 城市交通 智能交通
1|V2|nf|航空|||ap|aero popsci|航空 飞机 民航
1|V4|nf|航天|中国||ap|aero popsci|航天 火箭 空间站 探月
1|V279|nf|无人驾驶飞机|||r|aero tech|无人机 无人机航拍
1|X2|nf|环境保护|中国||ap|env|环境保护 生态文明 碳中和
1|X171|nf|生态系统|||ap|env sci|生态 生态系统 湿地 红树林
1|X705|nf|垃圾处理|||pr|env life|垃圾分类 低碳生活 零废弃
1|X4|nf|灾害防治|||r|env|防灾减灾 应急避险 自然灾害
1|Z228|nf|百科知识|||p|gen popsci|百科 知识 常识
"""

# Children's books; kinds: pic picture book, fairy fairy tale, knov children's novel,
# ksto children's story, kpoem children's poems, fpic translated picture book,
# knf children's non-fiction (title words are for children).
CHILDREN_TOPICS = """
9|I287.8|pic|图画故事|中国|当代||kid|
4|I287.7|fairy|童话|中国|当代||kid|
3|I287.45|knov|儿童小说|中国|当代||kid|
3|I287.5|ksto|儿童故事|中国|当代||kid|
1|I287.2|kpoem|儿童诗歌|中国|当代||kid|
4|I712.85|fpic|图画故事||现代||kid fnov|
2|Q95-49|knf|动物|||p|kid popsci|动物 恐龙 昆虫 鸟类 海洋动物 熊猫
1|Q94-49|knf|植物|||p|kid popsci|植物 花朵 种子 森林
2|P1-49|knf|宇宙|||p|kid popsci|宇宙 太空 星星 太阳系 月亮
2|N49|knf|自然科学|||p|kid popsci|科学 科学实验 身边的科学 发明
1|K209|knf|中国历史|||p|kid hum|中国历史 历史故事 古代文明
1|TP18-49|knf|人工智能|||p|kid tech|人工智能 机器人 编程
1|X-49|knf|环境保护|||p|kid env|环保 垃圾分类 地球
1|R32-49|knf|人体|||p|kid med|身体 人体 牙齿
1|P7-49|knf|海洋|||p|kid popsci|海洋 深海 海底世界
1|Z228.1|knf|百科知识|||p|kid|百科 十万个为什么 为什么
"""

# English-language books: weight|CLC|kind|606 heading|English subjects (comma-separated)
# Kinds: enov novel, eread graded reader, enf non-fiction.
ENGLISH_TOPICS = """
3|I561.45|enov|长篇小说|
2|I712.45|enov|长篇小说|
3|H319.4|eread|英语|
2|TP18|enf|人工智能|Artificial Intelligence,Machine Learning,Deep Learning
1|TP311.561|enf|软件工具|Python Programming,Programming in Python
1|TP274|enf|数据处理|Data Science,Data Analysis
1|F830|enf|金融|Finance,Financial Markets,Banking
1|F0|enf|经济学|Economics,Microeconomics,Behavioral Economics
1|O1|enf|数学|Linear Algebra,Calculus,Discrete Mathematics
1|O4|enf|物理学|Physics,Quantum Mechanics
1|B84|enf|心理学|Psychology,Cognitive Psychology
1|K1|enf|世界史|World History,Global History
1|C91|enf|社会学|Sociology,Urban Sociology
1|G4|enf|教育|Education,Language Teaching
1|H31|enf|英语|English Grammar,Academic Writing,English Phonetics
1|TU-092|enf|建筑史|Chinese Architecture,Architectural History
1|P1|enf|天文学|Astronomy,Astrophysics
1|Q95|enf|动物|Zoology,Animal Behaviour
1|X171|enf|生态系统|Ecology,Conservation Biology
1|R151|enf|营养学|Nutrition,Food Science
1|J41|enf|摄影艺术|Photography,Digital Photography
1|G258.2|enf|公共图书馆|Public Libraries,Library Science
"""

# For translated books: nationality, language code, country for 606 $y, novel class,
# picture-book class.
NATIONALITIES = [
    ("英", "eng", "英国", "I561.45", "I561.85"),
    ("美", "eng", "美国", "I712.45", "I712.85"),
    ("加", "eng", "加拿大", "I711.45", "I711.85"),
    ("澳", "eng", "澳大利亚", "I611.45", "I611.85"),
    ("法", "fre", "法国", "I565.45", "I565.85"),
    ("德", "ger", "德国", "I516.45", "I516.85"),
    ("日", "jpn", "日本", "I313.45", "I313.85"),
    ("俄", "rus", "俄罗斯", "I512.45", "I512.85"),
]
# How often each nationality above is drawn, in the same order.
NATIONALITY_WEIGHTS = [5, 6, 1, 1, 2, 2, 4, 1]
# Biographies: occupation for 606, CLC
BIOGRAPHY_CLASSES = [
    ("作家", "K825.6"),
    ("画家", "K825.72"),
    ("科学家", "K826.1"),
    ("企业家", "K825.38"),
    ("医学家", "K826.2"),
    ("戏曲艺术家", "K825.78"),
    ("教育家", "K825.46"),
]


# Title building blocks for non-fiction, by style.
FORMS = {
    "a": _words(
        "导论 概论 研究 新论 原理 教程 基础 论稿 论集 通论 专题研究 新探 探微 发展史 理论与实践 问题研究 导读 十五讲 纲要 研究文集 前沿"
    ),
    "p": _words(
        "简史 十讲 漫谈 趣谈 的秘密 的故事 通识 读本 百问 之美 常识 小史 史话 面面观 笔记 随笔 二十讲 三十讲 里的中国 的智慧 杂谈 散论 图鉴 闲话 知多少 这件小事 的世界 课"
    ),
    "r": _words(
        "入门 指南 手册 实务 实用技巧 从入门到精通 一本通 实战 自学教程 基础教程 完全手册 速成 百科 宝典 全攻略 精讲 案例解析 必备 轻松学 一学就会 问答 练习册 100例"
    ),
}
# Prefixes ending in "|" make the whole title ("零基础学Python").
PREFIXES = {
    "a": _words("现代 当代 比较 简明 新编 大众"),
    "p": _words(
        "图说 走近 话说 细说 漫话 发现 重读 读懂 寻找 趣味 极简 一本书读懂| 你好，| 有趣的| 神奇的| 看得见的| 人人都懂的| 藏在生活里的|"
    ),
    "r": _words("图解 新编 实用 家庭 全彩图解 零基础学| 轻松学| 手把手教你学| 超简单的|"),
}
SUBDIVISIONS = {
    "a": _words("研究 研究 文集 教材"),
    "p": _words("通俗读物 通俗读物 普及读物"),
    "r": _words("基本知识 基本知识 手册 问题解答"),
}
SUBTITLES = {
    "a": _words(
        "理论与实践 历史与现状 问题与方法 比较视野下的考察 跨学科的视角 文献与方法 回顾与展望 基本理论与前沿问题"
    ),
    "p": _words(
        "写给大家的通识课 插图本 漫画版 你不知道的那些事 从古至今的故事 给忙碌者的入门课 写给青少年 一百个有趣的问题 一次穿越时空的旅行"
    ),
    "r": _words(
        "从入门到精通 零基础也能学会 全彩图解版 实战案例详解 一学就会 视频教学版 一本就够 常见问题解答 案例精选"
    ),
}
# Academic subtitles for Guangdong topics.
LINGNAN_SUBTITLES = _words(
    "以广州为中心 以岭南为中心 一种社会史的考察 基于田野调查的研究 广府地区的个案"
)
# Place words that may open a non-fiction title, by the topic's 606 $y column.
GEO_BY_PLACE = {
    "?": _words("中国 世界 岭南 广东"),
    "中国": _words("中国 当代中国 新时代"),
    "广东": _words("岭南 广东 广州"),
    "粤": _words("岭南 广东 广州"),
}
NUMBERS = _words("10 12 20 30 50 60 100 120 365")
NUMBERED = _words("关键问题 常识 故事 知识点 瞬间 细节 误区 经典案例 问题 技巧")
ERAS = _words("古代 近代 现代 当代 唐代 宋代 明清时代 1949-")
Y_CHINA = _words("中国 中国 中国 广东 广州")
Y_GUANGDONG = _words("广东 广州 广东")

# Literary titles.
LIT_A = _words(
    "南方 北方 远方 旧时 午夜 夏天 冬天 西关 珠江 老街 山中 海边 小镇 十八岁 最后 寂静 温柔 漫长 燃烧 故乡 人间 春天 秋天 黄昏 清晨 我们 父亲 母亲 少年 异乡 岭南 江南 东山 大地 城市"
)
LIT_B = _words(
    "河流 灯火 岁月 故人 花园 房子 来信 歌 孩子 女儿 船 渡口 雨季 梦 声音 秘密 钟声 少年 年代 海 树 鸟 火车 旅程 影子 光 远山 码头 骑楼 窗 雪 风 信 夜晚 山河 爱情 家"
)
LIT_C = _words(
    "长河 风雨 珠江 西关 骑楼 老屋 荔枝湾 沙面 码头 渔村 小镇 山城 港湾 大河 草原 高原 雪山 南国 岭南 故园 江湖 浮生 人间 烟火 云水 长街 大湾 海岛 边城 月光 花城 羊城 老巷 青春 天涯"
)
LIT_SUFFIX = _words(
    "记 往事 人家 岁月 纪事 之城 之歌 的日子 以南 以北 十年 春秋 故事 笔记 来信 回声 旧梦 长歌 风云 传奇 夜话 之夜 之光 三部曲 的女儿 的孩子 的春天"
)
LIT_PREFIX = _words(
    "在 回到 走出 远去的 最后的 寻找 我的 遥远的 消失的 重返 那年 又见 告别 梦回 穿越"
)
PROSE_SUFFIX = _words("随笔 散记 笔记 札记 小品 杂忆 手记 闲话 漫笔 拾零 散文选 散文集")
POEM_SUFFIX = _words("诗选 诗集 诗抄 短诗选 诗篇")

# Children's titles.
ANIMALS = _words(
    "小熊 小兔 小猪 小狐狸 小象 小猫 小狗 小企鹅 小恐龙 小老鼠 长颈鹿 小刺猬 小熊猫 小松鼠 小青蛙 小鸭子 小狮子 小海龟 小蜗牛 小乌龟"
)
NICKNAMES = _words(
    "波波 咪咪 嘟嘟 乐乐 豆豆 点点 朵朵 皮皮 贝贝 球球 团团 糖糖 米米 壮壮 菲菲 丁丁 卡卡 奇奇 嘻嘻 果果"
)
THINGS = _words(
    "生日 新朋友 大冒险 第一天上学 魔法帽子 红雨伞 秘密基地 月亮船 彩虹桥 旅行 梦 种子 小房子 风筝 大发现 新衣服 礼物 星星灯 圣诞节 春节 小菜园 好朋友 蓝气球"
)
ACTIONS = _words(
    "去上学 学游泳 找妈妈 过新年 去海边 不想睡觉 交朋友 搬新家 种太阳 学做饭 爱刷牙 生气了 迷路了 看星星 上幼儿园 当哥哥 当姐姐 学骑车 去看病 会说谢谢"
)
KID_ADJECTIVES = _words(
    "好饿的 睡不着的 爱哭的 勇敢的 害羞的 会飞的 不一样的 最快乐的 想长大的 小小的 忙碌的 爱画画的 迷路的 会唱歌的 不爱洗澡的"
)
KID_PLACES = _words(
    "海底 森林 太空 恐龙岛 月亮 沙漠 雨林 冰川 地心 厨房 图书馆 时光隧道 外婆家 动物园 博物馆 南极 火山 云朵上"
)
KID_ADVENTURES = _words("大冒险 奇遇记 历险记 探秘 大作战 寻宝记 之旅 一日游")
KIN = _words("爸爸 妈妈 奶奶 外婆 爷爷 外公 哥哥 姐姐 弟弟 妹妹")
KID_NF_FORMS = _words(
    "给孩子的{} {}小百科 少儿{}百科 我的第一本{}书 趣味{} {}大揭秘 孩子读得懂的{} {}绘本 漫画{} "
    "{}的奥秘 神奇的{} 写给儿童的{} 我爱{} {}里的为什么 {}真好玩 {}大发现 小学生{}知识"
)

# English titles.
EN_ADJECTIVES = _words(
    "Silent Hidden Last Distant Golden Broken Quiet Burning Winter Summer Lost Forgotten Long Secret Wild Little Crimson Northern Salt Paper Bright Hollow"
)
EN_NOUNS = _words(
    "River Garden House Harbour Letter Island Bridge Light Orchard Lantern Station Tide Shore Road Mountain Daughter Song Map Season Window Keeper Clock Valley Fire"
)
EN_PLACES = _words(
    "Canton|Winter|the North|Harbour Street|the Pearl River|the Valley|Blackwood|the City|Kent|Maine|the Islands|Macao",
    "|",
)
EN_NF_FORMS = _words(
    "An Introduction to {}|Principles of {}|A Short History of {}|Foundations of {}|Essentials of {}|Understanding {}|{} in Practice|Readings in {}|Topics in {}|{} for Beginners|The Story of {}|Advanced {}|Modern {}|Essays on {}|{} and Society|A Guide to {}|Elements of {}|Perspectives on {}",
    "|",
)
EN_SUBTITLES = _words(
    "a Chinese perspective|theory and practice|an illustrated history|a practical guide|with case studies from Guangdong|concepts and methods|a first course|past, present and future",
    "|",
)
EN_LEVELS = _words("Starter|Level 1|Level 2|Level 3|Level 4|Level 5|Advanced", "|")

# Names.
# Common surnames appear more than once, roughly as often as in Guangdong.
SURNAMES = "王王王王李李李李张张张张刘刘刘陈陈陈杨杨黄黄赵赵吴周周徐孙马朱胡郭何高林林罗郑梁梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蔡蒋余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃戴莫孔汤欧麦区冼"
COMPOUND_SURNAMES = _words("欧阳 司徒 上官 司马 诸葛 慕容")
GIVEN_2 = _words(
    "伟华 秀英 志强 丽娟 建国 晓东 海燕 春梅 立新 振华 卫东 淑珍 丽华 德明 永刚 国庆 小红 婉婷 雅琴 慧敏 嘉欣 俊杰 锦荣 家豪 伟坚 少芬 子涵 梓轩 晨曦 嘉颖 佳琪 思远 雨桐 浩然 一鸣 文博 明轩 欣怡 若曦 沛文 颖琳 国华 建华 志明 红梅 玉兰 桂芳 秀兰 丽萍 文静 晓燕 宏伟 春生 凤英 家明 嘉琪 咏诗 卓妍 智杰 永康 志伟 国栋 宇航 天宇 思琪 梦瑶 诗涵 嘉怡 雅婷 子豪 俊熙 宏图 学文 金华 剑锋 海涛 立群 晓明 少华 汉光 兆基 耀宗 惠玲 美玲 淑仪 宝珠 国辉 润生 启明 志坚 瑞芳 静怡"
)
GIVEN_1 = "伟芳娜敏静丽强磊军洋勇艳杰涛明超霞平刚英华玉兰萍红辉鹏宇浩峰琳欣蕾斌凯毅坚"
# Foreign names as (Chinese transliteration, romanised form); by nationality group.
WESTERN_GIVEN = _pairs(
    eng="约翰 John|艾米莉 Emily|大卫 David|莎拉 Sarah|詹姆斯 James|露西 Lucy|托马斯 Thomas|安娜 Anna|彼得 Peter|凯特 Kate|迈克尔 Michael|劳拉 Laura|丹尼尔 Daniel|汉娜 Hannah|理查德 Richard|苏珊 Susan|马克 Mark|艾伦 Alan|罗伯特 Robert|朱莉 Julie",
    fre="皮埃尔 Pierre|玛丽 Marie|让 Jean|苏菲 Sophie|克莱尔 Claire|路易 Louis|伊莎贝尔 Isabelle",
    ger="汉斯 Hans|克劳斯 Klaus|莫妮卡 Monika|乌尔里希 Ulrich|卡特琳 Katrin|弗兰克 Frank",
    rus="伊万 Ivan|安娜 Anna|谢尔盖 Sergei|娜塔莎 Natasha|亚历山大 Aleksandr|叶莲娜 Elena",
)
WESTERN_SURNAMES = _pairs(
    eng="史密斯 Smith|布朗 Brown|威尔逊 Wilson|泰勒 Taylor|克拉克 Clark|怀特 White|霍尔 Hall|格林 Green|米勒 Miller|戴维斯 Davis|摩尔 Moore|沃克 Walker|休斯 Hughes|贝克 Baker|库克 Cook|帕克 Parker|埃文斯 Evans|希尔 Hill|斯科特 Scott|亚当斯 Adams|卡特 Carter|贝内特 Bennett",
    fre="杜邦 Dupont|马丁 Martin|勒布朗 Leblanc|贝尔纳 Bernard|莫罗 Moreau|佩兰 Perrin|福尔 Faure",
    ger="穆勒 Müller|施密特 Schmidt|施耐德 Schneider|费舍尔 Fischer|韦伯 Weber|瓦格纳 Wagner|贝克尔 Becker",
    rus="彼得罗夫 Petrov|伊万诺夫 Ivanov|索科洛夫 Sokolov|波波娃 Popova|库兹涅佐夫 Kuznetsov|沃罗宁 Voronin",
)
YEARBOOK_PLACES = _words("广州 越秀区 海珠区 天河区 荔湾区 白云区 番禺区 广东省 深圳 佛山 东莞")
JAPANESE_SURNAMES = _words("山田 佐藤 铃木 高桥 田中 渡边 中村 小林 松本 井上 森 清水")
JAPANESE_GIVEN = _words("太郎 健一 美惠子 由纪 直树 明美 翔太 裕子 阳菜 大辅 千寻 幸子")

# Summaries (330).
NF_VERBS = _words(
    "系统介绍了 深入浅出地讲解了 梳理了 全面阐述了 以通俗的语言介绍了 结合大量案例讲解了 从多个角度探讨了 图文并茂地展示了"
)
NF_ASPECTS = _words(
    "基本概念与发展历程 历史渊源与现状 核心原理与实践方法 主要流派与代表人物 常见问题与解决办法 基础知识和实用技巧 前沿进展与未来趋势 文化内涵与社会影响"
)
NF_TAILS = _words(
    "适合普通读者阅读 可供相关专业师生参考 适合初学者自学 书中配有大量插图和案例 语言通俗，案例丰富 兼具学术性与可读性 是一本实用的入门读物 可供广大爱好者参考"
)
NOVEL_PEOPLE = _words(
    "一位年轻教师 三代人 一个普通家庭 两个少年 一位老船工 一群外来务工者 一对姐妹 一位退休工人 一个粤剧世家 一位乡村医生 几位老同学 一位归侨"
)
NOVEL_PLACES = _words(
    "珠江边 南方小城 西关老街 大山深处 海边渔村 一座工业城市 改革开放初期的深圳 上海弄堂 岭南乡村 北方小镇 广州骑楼街 湘西山寨"
)
NOVEL_EVENTS = _words(
    "生活与命运 成长故事 悲欢离合 奋斗历程 爱情与抉择 寻亲之旅 几十年的沉浮 友谊与背叛"
)
NOVEL_THEMES = _words(
    "展现了时代变迁中普通人的坚韧与温情 描绘了一幅生动的社会风俗画卷 探讨了亲情、记忆与故乡的意义 语言质朴，情感真挚 情节跌宕起伏，人物形象鲜明 书写了一代人的理想与迷惘"
)
KID_THEMES = _words("友谊 勇气 分享 成长 爱 好奇心 家庭 自然 坚持 想象力")
KID_TAILS = _words(
    "画面明亮温馨，适合亲子共读 帮助孩子学会表达情绪 引导孩子认识世界 适合3-6岁儿童阅读 语言活泼，富有童趣 适合小学低年级学生阅读"
)
EN_VERBS = _words("introduces|surveys|explores|offers a clear account of|examines", "|")
EN_TAILS = _words(
    "with exercises and further reading|for students and general readers|drawing on recent research|with numerous examples",
    "|",
)

# Series (225): generic ones by kind/style and some tied to a CLC class prefix.
SERIES_BY_CLASS = [
    ("G127", "岭南文化丛书"),
    ("K296", "岭南文化丛书"),
    ("J825", "岭南文化丛书"),
    ("TU-092", "岭南建筑丛书"),
    ("R2", "中医药文化丛书"),
    ("TP", "计算机科学丛书"),
    ("F8", "金融理论与实务丛书"),
    ("I24", "当代中国作家文库"),
    ("I26", "当代中国作家文库"),
    ("I5", "外国文学名著丛书"),
    ("I7", "外国文学名著丛书"),
    ("I3", "外国文学名著丛书"),
    ("I28", "中国儿童文学经典书系"),
    ("B2", "国学经典导读丛书"),
    ("B5", "汉译学术名著丛书"),
    ("K2", "中国历史小丛书"),
    ("G891", "棋类入门丛书"),
    ("H3", "外语学习丛书"),
]
SERIES_GENERIC = {
    "a": ["大家小书", "学术文库", "名家讲堂", "博士文库"],
    "p": ["科普新知文库", "大家小书", "通识读本", "知识小丛书", "新知文库"],
    "r": ["实用技能丛书", "生活百科丛书", "新手入门系列"],
    "k": ["我的第一套科学绘本", "小小科学家", "儿童成长绘本", "快乐阅读丛书"],
}
