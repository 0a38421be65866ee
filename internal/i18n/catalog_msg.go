package i18n

// messages translate the domain's kith.Message texts by key. Their English
// is in the code that makes them (kith.Msg); TestMessagesTranslated finds
// every kith.Msg call in the source and checks it has a translation here
// taking the same arguments. Field names (order_id, --map) and platform
// words stay as they are: they are what the user types.
var messages = map[Lang]map[string]string{
	ZhCN: {
		"text": "%v",

		"error.conflict":  "冲突",
		"error.forbidden": "无权限",
		"error.invalid":   "无效",
		"error.not_found": "未找到",

		"customer.not_found":   "客户 %q：%v（已按%v查找）",
		"customer.bad_id":      "%q 不是客户编号",
		"customer.masked_none": "客户 %q：%v（没有哪位客户的手机号与之相符）",
		"customer.masked_many": "客户 %q：%v：%s 的手机号都相符；请用编号指定一位",
		"customer.masked_more": "客户 %q：%v：%s 等多位客户的手机号都相符；请用编号指定一位",
		"tried.all":            "外部编号、手机号、邮箱、姓名和内部编号",
		"tried.id":             "内部编号",
		"tried.keys":           "外部编号、手机号、邮箱和姓名",
		"customer.named_many":  "客户 %q：%v：%s 都叫这个名字；请用编号指定一位",
		"customer.named_more":  "客户 %q：%v：%s 等多位客户都叫这个名字；请用编号指定一位",

		"label.customer":    "客户",
		"label.customer_id": "客户编号",
		"label.order_id":    "订单号",
		"label.phone":       "手机号",
		"label.sku":         "商品编码",
		"list.semicolon":    "%v；%v",
		"list.comma":        "%v，%v",

		"column.attribute": "%q -> 自定义属性",
		"column.field":     "%q -> %s",
		"column.ignored":   "%q -> 不导入",

		"source.csv":           "CSV，%v，%v",
		"source.xlsx":          "XLSX，工作表 %q",
		"source.header_line":   "%v，表头在第 %d 行",
		"source.date_order":    "%v，%v",
		"date_order.dmy":       "日期按“日/月/年”读取（第 %d 行即如此）",
		"date_order.mdy":       "日期按“月/日/年”读取（第 %d 行即如此）",
		"encoding.utf8_bom":    "UTF-8（带 BOM）",
		"separator.comma":      "逗号分隔",
		"separator.semicolon":  "分号分隔",
		"separator.tab":        "制表符分隔",
		"separator.pipe":       "竖线分隔",
		"separator.whitespace": "空格分隔",

		"rejects.line":   "行号",
		"rejects.field":  "字段",
		"rejects.reason": "原因",

		"cell.empty":    "为空",
		"cell.encoding": "第 %d 个单元格不是本文件编码下的有效文字",
		"cell.nul":      "单元格 %q 含有 NUL 字符（文件是二进制的或已损坏？）",
		"cell.too_long": "单元格 %q 有 %d 字节，超过上限 %d",
		"row.cells":     "这一行有 %d 个单元格，表头有 %d 个（分隔符或引号放错了位置？）",

		"csv.open_quote":    "此处开始的引号没有闭合",
		"csv.open_quote_at": "第 %d 行：%v：%v",
		"csv.record_size":   "一条记录超过 %d MiB",

		"file.binary":      "不是文本文件（含有 NUL 字节）；CSV 须为 UTF-8、GBK/GB18030 或带 BOM 的 UTF-16",
		"file.empty":       "文件是空的：没有表头行",
		"file.missing":     "没有这个文件",
		"file.folder":      "这是文件夹，不是文件",
		"file.header":      "表头：%v",
		"file.not_xlsx":    "不是 XLSX 表格（.xlsx 文件是 zip 压缩包，这个文件不是）；如果它是 CSV 文本，请把扩展名改为 .csv",
		"file.xls":         "不支持旧版 Excel .xls（或加密的工作簿）：请另存为 .xlsx 或 CSV",
		"encoding.flag":    "编码 %q：可选 utf-8、gbk、gb18030 或 utf-16",
		"encoding.unknown": "无法识别的文字编码：偏移 %[2]d 处的字节 0x%02[1]X 既不是 UTF-8 也不是 GB18030（GB18030 在偏移 %[3]d 处出错）；请把文件另存为 UTF-8，或用 --encoding 指定",
		"xlsx.empty":       "工作表 %q：%v",
		"xlsx.no_sheets":   "工作簿里没有工作表",
		"xlsx.sheet":       "工作表 %q（现有工作表：%s）：%v",
		"xlsx.unreadable":  "无法读取的 XLSX 表格：%v",

		"kind.unknown":    "未知的导入类型 %q",
		"map.column":      "--map %s=%s：表头里没有 %q 这一列（%s）",
		"map.field":       "--map %s=%s：%s 文件没有字段 %s（字段：%s）",
		"missing":         "%v；%v；%v",
		"missing.aliases": "能匹配 %s 的表头有 %s",
		"missing.any":     "缺少必需的列：%s 中至少要有一个",
		"missing.header":  "文件的表头是 %s；可用 --map %s=表头 指定别的列",
		"missing.fits":    "%v；这个表头符合 %s 文件：请按 %s 导入",
		"missing.one":     "缺少必需的列 %s",

		"date.ambiguous":   "日和月的先后无法判断：请加 --date-order dmy 或 mdy",
		"date.bad":         "日期 %q：%v",
		"date.empty":       "日期为空",
		"date.no_such_day": "日期 %q：没有这一天",
		"date.or_month":    "%q 不是日期或月份（2024-01-31、2024-01、2024年1月、202401）",
		"date.parts":       "需要年、月、日",
		"date.year":        "需要四位数的年份",
		"date_order":       "日期顺序 %q：可选 auto、dmy 或 mdy",
		"time.bad":         "时间 %q：%v",
		"time.fraction":    "秒的小数部分有误",
		"time.parts":       "需要 时:分 或 时:分:秒",
		"range":            "超出范围",
		"birthday.bad":     "生日 %q：需要日期，或月和日，如 08-15、8月15日 或 农历八月十五",

		"amount.char":      "金额 %q：有意外的字符 %q",
		"amount.currency":  "金额 %q 的币种是 %s，应为 %s",
		"amount.no_digits": "金额 %q：没有数字",
		"amount.thousands": "金额 %q：千位分隔符位置不对（是小数逗号吗？请写成 12.50）",
		"amount.too_large": "金额 %q：数值太大",
		"currency.bad":     "%q 不是 CNY、USD 这样的 ISO 4217 币种代码",
		"refund.negative":  "退款 %q 是负数：退款请写成正数",

		"number.days":  "%q 不是天数（30、30天、2周、3个月、1.5年）",
		"number.not":   "%q 不是数字",
		"number.whole": "%q 不是整数",
		"days.range":   "%d 天超出范围",

		"customer.no_key": "这一行没有客户编号、手机号或邮箱",
		"email.bad":       "%q 不是邮箱地址",

		"account.name_required":  "姓名不能为空",
		"account.password_short": "密码至少需要 %d 个字符",
		"phone.masked":           "手机号 %q 的部分数字被隐藏了，无法区分客户，而这一行又没有客户编号或邮箱：请导入平台的买家编号列（如 买家会员名，或用 --map customer_id=表头）",
		"id.shortened":           "%v %q 被 Excel 存成了科学计数法，数字已经丢失：请在 Excel 中先把这一列设为“文本”格式再保存，或从平台重新导出",

		"status.unknown": "未知的订单状态 %q（已付款：已付款/交易成功/paid…，已退款：已退款/refunded…，已取消：已取消/交易关闭/未付款/cancelled…）",
		"line.customer":  "订单 %s 属于客户 %s（第 %d 行），这一行写的是 %s",
		"line.no_price":  "这一行没有单价或行金额",
		"line.no_sku":    "这一行没有商品编码或商品名称",
		"line.quantity":  "%q 不是数量",
		"lines.far":      "订单 %s 的这些明细行离它前面的明细行（第 %d 行）太远：请按订单号排序",

		"duplicate.different": "重复的%v %s，内容与第 %d 行不同（保留了第一条）",
		"duplicate.imported":  "重复的%v %s：已从本文件第 %d 行导入",
		"duplicate.same":      "重复的%v %s：内容与第 %d 行相同",

		"spend.kind":          "未知的费用类型 %q（获客：营销、广告、销售；留存：关怀、返现、礼品、留存）",
		"traffic.conversions": "转化数 %d 多于访客数 %d（两列弄反了？）",
		"traffic.negative":    "人数不能是负数",

		"import.no_sheet_header": "没有哪张工作表有 %s 的表头",
		"import.sheets_passed":   "工作表 %s 没有 %s 的表头：已跳过",
		"import.sheet_failed":    "工作表 %s 无法导入：%v",
		"source.sheets":          "XLSX，%d 张工作表",
		"import.unread_sheets":   "工作表 %s 也有 %s 的表头，未读取（kith import --all-sheets 会读取每张工作表）",

		"totals.more": "%d 行合计行（合计/Total，第 %s 行及另外 %d 行）是汇总，不是记录：已跳过",
		"totals.one":  "第 %d 行是合计行（合计/Total），是汇总，不是记录：已跳过",
		"totals.some": "%d 行合计行（合计/Total，第 %s 行）是汇总，不是记录：已跳过",

		"report.no_orders":      "%[2]s 及之前%[1]v：请先导入订单",
		"report.no_paid_orders": "没有已付款订单",

		"import.unknown_owners":    "%d 位客户的负责人不是系统里的员工（请用 kith user add 添加）",
		"import.unknown_referrers": "%d 位客户的推荐人还不是数据库里的客户",
	},
}
