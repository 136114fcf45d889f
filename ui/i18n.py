"""The translation table: every UI string in English and Chinese, looked up by key.

``translate`` is pure (testable without Streamlit); ``t`` reads the session's language.
"""

from __future__ import annotations

from types import MappingProxyType

import streamlit as st

from crm_core import formatting

LANG_KEY = "lang"
LANG_CODES = MappingProxyType({"EN": "en", "中文": "zh"})
"""What the switch shows (and what ``?lang=`` carries in a shared link) and the language code behind it."""

TEXT = MappingProxyType(
    {
        # app frame
        "app_title": ("Bank CRM strategy dashboard", "银行客户关系管理策略看板"),
        "language": ("Language", "语言"),
        "data_source": ("Data source", "数据来源"),
        "source_sample": ("Bank A sample", "A银行样本数据"),
        "source_upload": ("Uploaded: {name}", "已上传：{name}"),
        "dataset_size": (
            "{customers} customers · {activity} activity rows · {mb} MB",
            "{customers} 位客户 · {activity} 行交易数据 · {mb} MB",
        ),
        "fingerprint": ("Fingerprint {fp}", "数据指纹 {fp}"),
        "scenario": ("Scenario", "情景"),
        "sign_in_provider": ("Sign in with the bank's account", "使用行内账号登录"),
        "sign_in_wrong_domain": ("Only accounts of {domain} may use this dashboard.", "仅限 {domain} 账号使用本看板。"),
        "sign_out": ("Sign out", "退出登录"),
        "password": ("Password", "密码"),
        "password_wrong": ("Wrong password.", "密码错误。"),
        "password_wrong_wait": (
            "Wrong password. Wait {seconds} s before trying again.",
            "密码错误。请等待 {seconds} 秒后再试。",
        ),
        "password_too_soon": (
            "Too soon: that attempt was not checked. Wait {seconds} s before trying again.",
            "尝试过快：本次输入未经验证。请等待 {seconds} 秒后再试。",
        ),
        "password_locked": (
            "Too many attempts. Try again in {minutes} minutes.",
            "尝试次数过多。请 {minutes} 分钟后再试。",
        ),
        "show_identifiers": ("Show customer identifiers", "显示客户标识"),
        "show_identifiers_help": (
            "Off by default: customer numbers, names and phone numbers are masked on screen and "
            "in exports. With a pseudonym key in the secrets, exported ids become keyed hashes.",
            "默认关闭：客户号、姓名、电话在页面和导出中均被遮盖。若在密钥中配置了假名密钥，"
            "导出的客户号将替换为带密钥的哈希值。",
        ),
        "meeting_mode": ("Meeting mode", "会议模式"),
        "meeting_mode_help": (
            "Larger type, controls hidden, customer identifiers masked; the Scenarios page steps "
            "through the storyline.",
            "放大字体、隐藏控件、隐去客户标识；“情景与导出”页按故事线逐步展示。",
        ),
        "scenario_modified": (" (modified)", "（已修改）"),
        "setting_refused": (
            "That change was not applied: {error}. The previous setting is kept.",
            "该修改未生效：{error}。已保留原设置。",
        ),
        "from_link": ("shared link", "分享链接"),
        "scenario_name_baseline": ("Baseline (current practice)", "基准（现行做法）"),
        "scenario_name_proposed": ("Proposed strategy", "拟议策略"),
        "from_file": ("uploaded", "上传"),
        "scenario_file_too_large": (
            "the file is larger than {kb} KB; a scenario file is a few KB",
            "文件超过 {kb} KB；情景文件通常只有几 KB",
        ),
        "link_refused": ("The scenario in the link was not applied: {error}", "链接中的情景未应用：{error}"),
        "scenario_placeholder": (
            "Baseline (current practice). Saving and comparing scenarios arrives with the Scenarios & export page.",
            "基线（现行做法）。情景的保存与对比将随“情景与导出”页面上线。",
        ),
        # pages
        "page_overview": ("Overview", "总览"),
        "page_data": ("Data", "数据"),
        "page_segments": ("Segments", "客群分层"),
        "page_visits": ("Visits & channels", "到店与渠道"),
        "page_products": ("Product gap", "产品缺口"),
        "page_loyalty": ("Loyalty & value", "忠诚度与价值"),
        "page_staff_kpis": ("Staff KPIs", "员工考核"),
        "page_scenarios": ("Scenarios & export", "情景与导出"),
        "page_playbook": ("Strategy playbook", "策略手册"),
        "coming": ("This view is coming: {what}", "该视图即将上线：{what}"),
        "coming_segments": (
            "live AUM tiers, value scores, RFM, lifecycle stages, clusters and group profiles.",
            "实时资产分层、价值评分、RFM、生命周期与聚类客群画像。",
        ),
        "coming_visits": (
            "counter-visit decline, off-counter rate, channel migration and silent attrition.",
            "柜面到店下降、离柜率、渠道迁移与“静默流失”。",
        ),
        "coming_products": (
            "product penetration by group, gaps against a benchmark, opportunity sizing and leads.",
            "各客群产品渗透率、对标缺口、机会测算与营销名单。",
        ),
        "coming_loyalty": (
            "stickiness index, churn-risk model, customer lifetime value and a retention what-if.",
            "客户黏性指数、流失风险模型、客户终身价值与挽留测算。",
        ),
        "coming_staff_kpis": (
            "branch and relationship-manager scorecards under different assessment orientations.",
            "不同考核导向下的网点与客户经理计分卡。",
        ),
        "coming_scenarios": (
            "saving and comparing what-if scenarios, meeting mode and PPTX / HTML / Excel exports.",
            "保存与对比情景、会议模式，以及 PPTX / HTML / Excel 导出。",
        ),
        "coming_playbook": (
            "data-driven findings per group along the four strategy pillars.",
            "按四大策略支柱生成的分客群数据洞察。",
        ),
        "question_segments": (
            "Which customer groups do we serve, and how should each be managed?",
            "我们服务哪些客群？各客群应如何分层管理？",
        ),
        "question_visits": (
            "How fast are branch visits falling, where, and what replaces them?",
            "到店客户下降有多快？发生在哪里？被什么渠道替代？",
        ),
        "question_products": (
            "Which groups lack which products, and what is closing the gap worth?",
            "哪些客群缺少哪些产品？补齐缺口价值几何？",
        ),
        "question_loyalty": (
            "Who is slipping away, why, and what is keeping them worth?",
            "哪些客户正在流失？原因何在？挽留价值多大？",
        ),
        "question_staff_kpis": (
            "How do rankings change when assessment rewards customers, not just deposits?",
            "当考核从“存款与销售”转向“以客户为中心”，排名如何变化？",
        ),
        "question_data": (
            "What data is the dashboard reading, and did every row arrive?",
            "看板读取的是哪些数据？每一行都导入了吗？",
        ),
        "question_scenarios": ("Which what-if do we take into the strategy meeting?", "哪个情景方案带进策略会议？"),
        "question_playbook": (
            "What should each customer group's strategy be, according to the data?",
            "依据数据，各客群应采取怎样的策略？",
        ),
        # overview
        "question_overview": (
            "How is the retail customer base doing, and where do the bank's four problems show?",
            "零售客户整体表现如何？四大问题体现在哪些数字上？",
        ),
        "as_of": (
            "Data as of {month}; changes compare with twelve months earlier.",
            "数据截至 {month}；变化均与十二个月前比较。",
        ),
        "metric_customers": ("Active customers", "有效客户数"),
        "metric_total_aum": ("Total AUM", "金融资产总额（AUM）"),
        "metric_top1_aum_share": ("AUM held by top 1%", "前1%客户资产占比"),
        "metric_top2_aum_share": ("AUM held by top 2%", "前2%客户资产占比"),
        "metric_top10_aum_share": ("AUM held by top 10%", "前10%客户资产占比"),
        "metric_products_per_customer": ("Products per customer", "户均持有产品数"),
        "metric_digital_active_share": ("Digitally active", "数字渠道活跃率"),
        "metric_counter_txn_yoy": ("Counter transactions, year on year", "柜面交易同比"),
        "metric_churn_rate": ("Churn rate, last 12 months", "近12个月流失率"),
        "explain_customers": (
            "Customers with an open relationship now, against those open a year ago.",
            "当前仍在存续的客户，与一年前对比。",
        ),
        "explain_total_aum": ("Deposits plus investments of active customers.", "有效客户的存款与投资资产合计。"),
        "explain_top1_aum_share": (
            "Concentration: a small group carries the balance sheet.",
            "集中度：少数客户撑起资产规模。",
        ),
        "explain_top2_aum_share": (
            "The top 2% are the natural private and high-net-worth focus.",
            "前2%客户是私行与高净值服务的重点。",
        ),
        "explain_top10_aum_share": (
            "Beyond the top 10%, the mass market holds little AUM but many customers.",
            "前10%之外的大众客户人数多而资产少。",
        ),
        "explain_products_per_customer": (
            "Cross-sell depth; thin relationships churn more.",
            "交叉销售深度；产品少的客户更易流失。",
        ),
        "explain_digital_active_share": (
            "Customers using mobile or internet banking in the last 3 months.",
            "近3个月使用手机银行或网上银行的客户占比。",
        ),
        "explain_counter_txn_yoy": (
            "Branch counter transactions, last 12 months against the 12 before.",
            "近12个月柜面交易笔数与前12个月相比。",
        ),
        "explain_churn_rate": (
            "Relationships closed in the last 12 months, of those open a year ago.",
            "近12个月销户客户占一年前存续客户的比例。",
        ),
        "channel_chart_title": ("Monthly transactions by channel", "各渠道月度交易笔数"),
        "transactions": ("Transactions", "交易笔数"),
        "off_counter_now": (
            "Off-counter rate (share of transactions outside the counter): {now} in {month}, {before} a year earlier.",
            "离柜率（非柜面交易占比）：{month} 为 {now}，一年前为 {before}。",
        ),
        "channel_counter": ("Counter", "柜面"),
        "channel_atm": ("ATM", "ATM"),
        "channel_mobile": ("Mobile banking", "手机银行"),
        "channel_online": ("Internet banking", "网上银行"),
        "channel_phone": ("Phone banking", "电话银行"),
        "data_quality": ("Data quality", "数据质量"),
        "note_none": ("No gaps found: every view has the fields it needs.", "未发现缺口：各视图所需字段齐全。"),
        "note_no_activity": (
            "No activity table: channel and visit figures are not shown. Upload monthly activity on the Data page.",
            "缺少交易活动表：渠道与到店指标不显示。请在“数据”页上传月度交易数据。",
        ),
        "note_customers_without_activity": (
            "{count} customers have no transactions in the activity table.",
            "{count} 位客户在交易活动表中没有任何交易。",
        ),
        "note_orphan_activity": (
            "{count} activity rows name customers not in the customers table; they are left out.",
            "{count} 行交易记录对应的客户不在客户表中，已排除。",
        ),
        "note_no_products": (
            "No product holdings: product figures are not shown.",
            "缺少产品持有数据：产品指标不显示。",
        ),
        "note_missing_fields": (
            "Fields not in this dataset: {fields}. Views that need them say so.",
            "本数据集缺少字段：{fields}。依赖这些字段的视图会给出提示。",
        ),
        # data page
        "data_in_use": (
            "In use: {name} · {rows} customers · fingerprint {fp}",
            "当前使用：{name} · {rows} 位客户 · 数据指纹 {fp}",
        ),
        "artefact_heading": (
            "Open a prepared dataset (artefact from `python -m crm_core prepare`)",
            "打开已准备的数据集（`python -m crm_core prepare` 生成的产物）",
        ),
        "artefact_pick": ("Prepared dataset", "已准备的数据集"),
        "artefact_open": ("Open", "打开"),
        "templates": ("CSV templates (English or Chinese headers)", "CSV 模板（英文或中文表头）"),
        "table_customers": ("Customers", "客户表"),
        "table_activity": ("Monthly activity", "月度交易活动表"),
        "table_holdings": ("Product holdings", "产品持有表"),
        "template_button": ("{table} · {language}", "{table} · {language}"),
        "upload_label": (
            "Upload extracts: customers, and optionally activity and holdings",
            "上传数据：客户表，以及可选的交易活动表和产品持有表",
        ),
        "upload_limit": (
            "CSV / TSV / TXT, Excel .xlsx or Parquet; up to {mb} MB per file. UTF-8, GB18030/GBK, Big5, "
            "Windows-1252 and UTF-16 (with its byte-order mark) are detected; text that is not UTF-8 is flagged.",
            "支持 CSV / TSV / TXT、Excel .xlsx 或 Parquet；每个文件不超过 {mb} MB。自动识别 UTF-8、"
            "GB18030/GBK、Big5、Windows-1252 与 UTF-16（带字节顺序标记）编码；非 UTF-8 文本会给出提示。",
        ),
        "upload_repeated": (
            "{name} holds the same bytes as {first}: it is read once.",
            "{name} 与 {first} 内容完全相同：只读取一次。",
        ),
        "memory_refusal": (
            "These files would need about {needed} GB of memory to load and prepare, more than the {limit} GB "
            "this server allows ({files}). Load one region or branch at a time, or prepare the whole bank with "
            "`python -m crm_core prepare` (on Spark for data-lake tables) and open the prepared folder on this page.",
            "这些文件加载和准备约需 {needed} GB 内存，超过本服务器允许的 {limit} GB（{files}）。请按区域或网点"
            "分批加载，或用 `python -m crm_core prepare`（数据湖数据可用 Spark）预先准备全行数据，再在本页打开"
            "准备好的文件夹。",
        ),
        "upload_hint": (
            "Upload one or more files to map and validate them; the app keeps using the dataset above "
            "until you choose another.",
            "上传一个或多个文件后即可映射并校验；在您切换之前，看板继续使用上方的数据集。",
        ),
        "date_order": ("Dates like 03/04/2024", "形如 03/04/2024 的日期"),
        "date_order_auto": ("decide from the data (day first if unclear)", "根据数据判断（无法判断时按日/月）"),
        "date_order_DMY": ("day / month / year", "日 / 月 / 年"),
        "date_order_MDY": ("month / day / year", "月 / 日 / 年"),
        "duplicate_policy": ("Duplicate customer ids", "重复的客户号"),
        "policy_keep_first": ("keep the first row", "保留第一行"),
        "policy_sum": ("sum balances into the first row", "余额合并到第一行"),
        "policy_reject": ("reject every duplicated row", "全部拒绝"),
        "encoding": ("Encoding", "编码"),
        "delimiter": ("Delimiter", "分隔符"),
        "sheet": ("Sheet", "工作表"),
        "table": ("Table", "数据表"),
        "detected": (
            "Read as {format}, encoding {encoding}, delimiter {delimiter}, {columns} columns.",
            "识别为 {format}，编码 {encoding}，分隔符 {delimiter}，共 {columns} 列。",
        ),
        "apply_mapping": ("Apply a saved mapping (JSON)", "套用已保存的映射（JSON）"),
        "file_column": ("File column", "文件列"),
        "sample_values": ("Sample values", "示例值"),
        "maps_to": ("Maps to", "对应字段"),
        "maps_to_help": ("Leave empty to ignore the column.", "留空表示忽略该列。"),
        "fix_first": ("Fix the problems above before loading.", "请先解决以上问题再导入。"),
        "load_validate": ("Load and validate", "导入并校验"),
        "loading_status": ("Loading and validating…", "正在导入并校验……"),
        "status_reading": ("Reading {n} file(s) with the confirmed mappings", "按确认的映射读取 {n} 个文件"),
        "status_done": (
            "Loaded: {loaded} of {read} rows; {rejected} rejected.",
            "已导入 {read} 行中的 {loaded} 行；拒绝 {rejected} 行。",
        ),
        "load_failed": ("The files could not be loaded", "文件无法导入"),
        "validation_report": ("Validation report", "校验报告"),
        "rows_read": ("Rows read", "读取行数"),
        "rows_loaded": ("Rows loaded", "导入行数"),
        "rows_rejected": ("Rows rejected", "拒绝行数"),
        "report_file": ("File", "文件"),
        "report_table": ("Table", "数据表"),
        "report_format": ("Format", "格式"),
        "report_encoding": ("Encoding", "编码"),
        "report_delimiter": ("Delimiter", "分隔符"),
        "report_duplicates": ("Duplicate ids (policy)", "重复客户号（处理方式）"),
        "report_derived": ("Derived fields", "推导字段"),
        "issue_kind": ("Kind", "类型"),
        "issue_rejected": ("row rejected", "整行拒绝"),
        "issue_parse": ("value not understood (left empty)", "无法解析的值（置空）"),
        "issue_range": ("implausible value (kept, flagged)", "不合理的值（保留并标记）"),
        "issue_subject": ("Reason or column", "原因或列"),
        "issue_rule": ("Expected", "预期"),
        "issue_count": ("Rows", "行数"),
        "issue_examples": ("First examples (row: text)", "示例（行号：原文）"),
        "no_issues": ("No row was rejected and every value was understood.", "没有被拒绝的行，所有值均已识别。"),
        "parsed_preview": ("Parsed customers (first 20 rows)", "解析后的客户数据（前20行）"),
        "download_report": ("Download report (JSON)", "下载校验报告（JSON）"),
        "download_mapping": ("Save mapping of {name}", "保存 {name} 的映射"),
        "use_dataset": ("Use this dataset", "使用该数据集"),
        "no_rows_loaded": (
            "No customer row was loaded: this dataset cannot be used. Check the mapping and the rejected rows above.",
            "没有导入任何客户行：该数据集无法使用。请检查上方的字段映射和被拒绝的行。",
        ),
        "sample_values_masked": (
            "Customer identifiers are masked here and in the report; the sidebar switch “Show customer "
            "identifiers” shows them.",
            "此处及校验报告中的客户标识已遮蔽；打开侧栏的“显示客户标识”可查看。",
        ),
        "dataset_in_use": ("The whole app now uses this dataset.", "整个看板已切换为该数据集。"),
        "reload_note": (
            "A browser reload starts a new session: the upload is not kept on the server. Save the "
            "mapping to re-load in two clicks.",
            "刷新浏览器会开始新会话，上传的数据不会保存在服务器上。请保存映射以便快速重新导入。",
        ),
        # segments page
        "scheme": ("Segmentation scheme", "分群方式"),
        "scheme_tiers": ("AUM tiers", "资产分层"),
        "scheme_value": ("Value score", "价值评分"),
        "scheme_rfm": ("RFM", "RFM 模型"),
        "scheme_lifecycle": ("Lifecycle stage", "生命周期"),
        "scheme_clusters": ("Clusters", "聚类"),
        "scheme_hidden": ("{scheme} is hidden: {reason}", "{scheme}不可用：{reason}"),
        "no_scheme": (
            "This dataset supports no segmentation scheme: it needs at least an AUM column.",
            "该数据集无法分群：至少需要资产（AUM）字段。",
        ),
        "tier_preset": ("Preset", "预设方案"),
        "preset_default": ("Bank A default (5万 / 50万 / 600万)", "A银行默认（5万 / 50万 / 600万）"),
        "preset_regulatory": ("Regulatory-style (5万 / 100万 / 600万)", "监管口径（5万 / 100万 / 600万）"),
        "preset_cmb": ("CMB-style (5万 / 50万 / 1000万)", "招行式（5万 / 50万 / 1000万）"),
        "preset_icbc": ("ICBC-style (5万 / 80万 / 800万)", "工行式（5万 / 80万 / 800万）"),
        "preset_custom": ("Custom (edited below)", "自定义（在下方修改）"),
        "tier_basis": ("Tier on", "分层依据"),
        "basis_current": ("current AUM (month average)", "当前资产（月日均）"),
        "basis_3m": ("average of the last 3 months", "近3个月日均"),
        "basis_6m": ("average of the last 6 months", "近6个月日均"),
        "basis_12m": ("average of the last 12 months", "近12个月日均"),
        "tier_count": ("Tiers", "层级数"),
        "tier_label": ("Tier {n} name", "第{n}层名称"),
        "tier_from": ("{label} from (万 CNY)", "{label}起点（万元）"),
        "tier_invalid": ("These tiers cannot be used: {error}", "该分层设置无效：{error}"),
        "normalisation": ("Normalisation", "标准化方法"),
        "norm_percentile": ("percentile rank", "百分位排名"),
        "norm_minmax": ("min–max", "最小–最大值"),
        "value_method": ("Value classes by", "价值分类方式"),
        "method_cutoffs": ("score cut-offs (0.35 / 0.55 / 0.75)", "评分阈值（0.35 / 0.55 / 0.75）"),
        "method_top_shares": ("top shares (5% / 20% / 45%)", "排名占比（5% / 20% / 45%）"),
        "weights_sum": (
            "Weights sum to {total}%. Moving one slider rescales the others.",
            "权重合计 {total}%。调整一个滑块时，其余按比例调整。",
        ),
        "indicator_aum": ("AUM", "资产"),
        "indicator_annual_contribution": ("Annual contribution", "年度综合贡献"),
        "indicator_products_held": ("Products held", "持有产品数"),
        "indicator_tenure_months": ("Tenure", "客户时长"),
        "indicator_digital_share_12m": ("Digital share", "数字渠道占比"),
        "indicator_aum_trend": ("AUM growth", "资产增长"),
        "indicator_age": ("Age", "年龄"),
        "indicator_counter_txn_12m": ("Counter transactions", "柜面交易"),
        "value_change": ("the new weights", "新的权重"),
        "value_sleeping": ("sleeping", "沉睡客户"),
        "value_low_value": ("low value", "低价值客户"),
        "value_valuable": ("valuable", "有价值客户"),
        "value_high_value_added": ("high value added", "高附加值客户"),
        "rfm_monetary": ("Monetary value from", "价值（M）依据"),
        "rfm_explained": (
            "Recency: months since the last transaction; frequency: transactions in 12 months; "
            "each scored 1–5 by quintile. Activity is monthly, so most active customers share "
            "the top recency score.",
            "R：距最近一次交易的月数；F：近12个月交易笔数；M：资产或贡献；均按五分位打1–5分。"
            "交易数据按月汇总，多数活跃客户的R得分相同。",
        ),
        "rfm_champions": ("champions", "重要价值客户"),
        "rfm_loyal": ("loyal", "忠诚客户"),
        "rfm_new": ("new", "新客户"),
        "rfm_potential_loyalist": ("potential loyalists", "潜力客户"),
        "rfm_need_attention": ("need attention", "需关注客户"),
        "rfm_cannot_lose": ("cannot lose", "重要挽留客户"),
        "rfm_at_risk": ("at risk", "流失风险客户"),
        "rfm_hibernating": ("hibernating", "休眠客户"),
        "rfm_other": ("others", "其他"),
        "cluster_features": ("Cluster on", "聚类特征"),
        "cluster_k": ("Number of clusters (k)", "聚类数（k）"),
        "cluster_need_two": ("Choose at least two features.", "请至少选择两个特征。"),
        "cluster_n": ("Cluster {n}", "第{n}类"),
        "silhouette_title": (
            "Separation by number of clusters (silhouette, sample of 5,000)",
            "不同聚类数的区分度（轮廓系数，抽样5,000）",
        ),
        "silhouette": ("silhouette", "轮廓系数"),
        "not_assigned": ("not assigned", "未分配"),
        "suppressed": ("< 10 customers", "少于10人"),
        "profiles_reconcile": (
            "{groups} groups · {customers} active customers · shares sum to {share}",
            "{groups} 个客群 · {customers} 位有效客户 · 占比合计 {share}",
        ),
        "profile_group": ("Group", "客群"),
        "profile_customers": ("Customers", "客户数"),
        "profile_customer_share": ("Customer share", "客户占比"),
        "profile_aum": ("AUM", "资产"),
        "profile_aum_share": ("AUM share", "资产占比"),
        "profile_average_aum": ("Average AUM", "户均资产"),
        "profile_median_aum": ("Median AUM", "资产中位数"),
        "profile_products_per_customer": ("Products per customer", "户均产品数"),
        "profile_digital_active_share": ("Digitally active", "数字活跃率"),
        "profile_counter_trend": ("Counter trend", "柜面交易变化"),
        "profile_churn_rate": ("Churn rate", "流失率"),
        "profile_average_age": ("Average age", "平均年龄"),
        "profile_payroll_share": ("Payroll share", "代发占比"),
        "profile_products_per_customer_index": ("Products index", "产品数指数"),
        "profile_digital_active_share_index": ("Digital index", "数字活跃指数"),
        "profile_counter_trend_index": ("Counter trend index", "柜面变化指数"),
        "profile_churn_rate_index": ("Churn index", "流失率指数"),
        "profile_average_age_index": ("Age index", "年龄指数"),
        "profile_payroll_share_index": ("Payroll index", "代发指数"),
        "profile_chart": ("Group profiles against the whole bank (= 100)", "各客群画像（全行 = 100）"),
        "index_axis": ("index, bank = 100", "指数（全行 = 100）"),
        "migration": ("Migration against the baseline", "与基线相比的迁移"),
        "migration_none": (
            "Same groups as the baseline: move a threshold or a weight to see who moves.",
            "与基线相同：调整门槛或权重即可看到客户迁移。",
        ),
        "closed customers placed by their AUM a year ago": (
            "closed customers placed by their AUM a year ago",
            "已销户客户按一年前的资产归层",
        ),
        "6-month average approximated by the mean of the 3- and 12-month averages": (
            "6-month average approximated by the mean of the 3- and 12-month averages",
            "近6个月日均以近3个月与近12个月日均的平均值近似",
        ),
        "no AUM a year ago: stages use the activity trend only": (
            "no AUM a year ago: stages use the activity trend only",
            "缺少一年前资产：仅按交易趋势划分阶段",
        ),
        "no activity data: stages use the AUM trend only": (
            "no activity data: stages use the AUM trend only",
            "缺少交易数据：仅按资产趋势划分阶段",
        ),
        "migration_title": ("Customers moving between groups", "客群间迁移的客户数"),
        "migration_to": ("now", "调整后"),
        "migration_from": ("baseline", "基线"),
        "drilldown": ("Drill down into one group", "单个客群明细"),
        "drilldown_group": ("Group", "客群"),
        "drill_branches": ("Branch mix", "网点分布"),
        "drill_age_bands": ("Age bands", "年龄段"),
        "drill_products": ("Products held", "持有产品"),
        "concentration": ("AUM concentration", "资产集中度"),
        "lorenz_title": ("Lorenz curve of AUM (active customers)", "资产洛伦兹曲线（有效客户）"),
        "lorenz_x": ("share of customers, poorest first", "客户累计占比（由低到高）"),
        "lorenz_y": ("share of AUM", "资产累计占比"),
        "equal_shares": ("equal shares", "完全均等"),
        "concentration_note": (
            "Top 1% hold {top1}, top 2% {top2}, top 10% {top10} of {total}; Gini {gini}.",
            "前1%客户持有 {top1}，前2% 持有 {top2}，前10% 持有 {top10}（总额 {total}）；基尼系数 {gini}。",
        ),
        # product gap page
        "xsell_col_group": ("Group", "客群"),
        "xsell_col_customers": ("Customers", "客户数"),
        "xsell_col_products": ("Products held", "持有产品总数"),
        "xsell_col_products_per_customer": ("Products per customer", "户均产品数"),
        "xsell_col_target": ("Target", "目标"),
        "xsell_col_gap": ("Gap to target", "与目标差距"),
        "xsell_col_meets_target": ("Meets target", "达标"),
        "xsell_col_products_needed": ("Products to reach target", "达标需新增产品数"),
        "group_by": ("Break down by", "分组方式"),
        "products_missing": (
            "This dataset has no product holdings (has_<product> columns or a holdings table); "
            "upload them on the Data page.",
            "该数据集没有产品持有信息（has_<产品> 列或产品持有表），请在“数据”页上传。",
        ),
        "benchmark": ("Benchmark", "对标基准"),
        "benchmark_bank": ("bank average", "全行平均"),
        "benchmark_next_tier": ("next group up", "上一层级客群"),
        "benchmark_best_branch": ("best branch for the group", "该客群表现最佳的网点"),
        "cross_sell_target": ("Target products per customer", "户均产品数目标"),
        "penetration_title": (
            "Product penetration by group (index, bank = 100)",
            "各客群产品渗透率（指数，全行 = 100）",
        ),
        "bank": ("Whole bank", "全行"),
        "gap_heading": ("Gap against the benchmark", "与基准的差距"),
        "gap_title": ("{group}: penetration against the benchmark", "{group}：渗透率与基准对比"),
        "share_of_customers": ("share of active customers", "占有效客户比例"),
        "penetration": ("penetration", "渗透率"),
        "opportunity_heading": ("What closing the gap is worth (what-if)", "补齐缺口的价值（测算）"),
        "product": ("Product", "产品"),
        "conversion_rate": ("Conversion rate", "转化率"),
        "value_basis": ("Value from", "价值来源"),
        "average_balance": ("Average balance", "平均余额"),
        "margin": ("Margin", "利差/费率"),
        "annual_fee": ("Annual fee income", "年手续费收入"),
        "closure": ("Share of the gap closed (headline)", "缺口补齐比例（标题测算）"),
        "opportunity_total": (
            "All groups and products: {value} a year at these conversion rates; closing every gap "
            "to the benchmark: {gap} a year.",
            "所有客群与产品：按上述转化率每年 {value}；全部补齐至基准每年 {gap}。",
        ),
        "opportunity_title": ("Largest opportunities (CNY a year)", "最大机会（元/年）"),
        "value_per_year": ("expected value a year", "年预期价值"),
        "coholding_heading": ("Products held together", "产品共同持有"),
        "lift_title": ("Co-holding lift (1 = independent)", "共同持有提升度（1 = 无关联）"),
        "next_best_heading": ("Next-best product and lead lists", "下一最佳产品与营销名单"),
        "offered_products": ("Products to offer", "可推荐产品"),
        "training_models": (
            "Training one propensity model per product (once per dataset)…",
            "正在为每个产品训练倾向模型（每个数据集一次）……",
        ),
        "model_quality_title": ("Model quality on held-out customers", "模型在留出样本上的表现"),
        "branch": ("Branch", "网点"),
        "relationship_manager": ("Relationship manager", "客户经理"),
        "download_csv": ("Download CSV", "下载 CSV"),
        "download_excel": ("Download Excel", "下载 Excel"),
        # visits page
        "building_cube": (
            "Preparing monthly visit data (once per dataset)…",
            "正在准备月度到店数据（每个数据集一次）……",
        ),
        "visits_off_counter": ("Off-counter rate, last 12 months", "近12个月离柜率"),
        "versus_benchmark": ("industry {rate} ({year})", "行业 {rate}（{year}年）"),
        "visits_decline": ("Counter trend a year", "柜面年化变化"),
        "interval": ("95%: {low} to {high}", "95%区间 {low}~{high}"),
        "visits_mobile_active": ("Mobile active, 3 months", "手机银行活跃率"),
        "visits_silent": ("At risk of silent attrition", "“静默流失”风险客户"),
        "off_counter_axis": ("off-counter rate", "离柜率"),
        "off_counter_rate": ("off-counter rate", "离柜率"),
        "industry_benchmark": ("industry benchmark", "行业基准"),
        "forecast_heading": ("Counter transactions: trend and next 12 months", "柜面交易：趋势与未来12个月"),
        "forecast_title": (
            "Counter transactions with a log-linear seasonal trend",
            "柜面交易（对数线性趋势 + 季节性）",
        ),
        "actual": ("actual", "实际"),
        "fitted_trend": ("fitted trend", "拟合趋势"),
        "forecast": ("forecast", "预测"),
        "forecast_band": ("95% prediction interval", "95%预测区间"),
        "decline_by_branch": ("Where visits fall fastest", "到店下降最快的网点"),
        "decline_ranking_title": ("Counter transactions, fitted change a year, by branch", "各网点柜面交易年化变化"),
        "change_per_year": ("% change a year", "年变化率（%）"),
        "substitution_heading": ("What replaced the counter", "柜面被什么替代"),
        "substitution_title": ("Lost counter volume: moved to digital or gone", "减少的柜面交易：转向数字渠道或流失"),
        "moved_to_digital": ("moved to mobile / online", "转向手机/网上银行"),
        "gone": ("gone", "消失"),
        "what_if_heading": ("What-if: digital adoption and counter staffing", "测算：数字化渗透与柜员配置"),
        "what_if_segments": ("Groups targeted (none = all)", "目标客群（不选 = 全部）"),
        "adoption_increase": ("Raise digital adoption by", "数字化渗透率提升"),
        "substitution_factor": ("Share of their counter volume that moves", "其柜面交易转移比例"),
        "per_teller": ("Transactions per teller a month", "每名柜员每月交易笔数"),
        "silent_heading": (
            "Silent attrition: fewer visits, no digital uptake, shrinking AUM",
            "静默流失：到店减少、未转数字渠道、资产下降",
        ),
        # loyalty page
        "training_churn": (
            "Training the churn model (once per dataset and definition)…",
            "正在训练流失模型（每个数据集与定义一次）……",
        ),
        "churn_definition": ("Churn means", "流失定义"),
        "churn_kind_flag": ("relationship closed (the data's flag)", "销户（数据中的标志）"),
        "churn_kind_inactive": ("no transactions for N months", "连续N个月无交易"),
        "churn_kind_aum_drop": ("AUM fell by more than x% in 12 months", "12个月内资产下降超过x%"),
        "inactive_months": ("Months without transactions (N)", "无交易月数（N）"),
        "aum_drop": ("AUM fall (x)", "资产降幅（x）"),
        "stickiness_heading": ("Stickiness and primacy", "客户黏性与主办行"),
        "stickiness_products_held": ("Products held", "持有产品数"),
        "stickiness_is_payroll": ("Payroll service", "代发工资"),
        "stickiness_mobile_active": ("Mobile active", "手机银行活跃"),
        "stickiness_tenure_months": ("Tenure", "客户时长"),
        "stickiness_aum_trend": ("AUM trend", "资产趋势"),
        "stickiness_card_use": ("Cards held", "持卡"),
        "loyalty_churn_rate": ("Churn rate (definition)", "流失率（按定义）"),
        "loyalty_high_risk_customers": ("High-risk customers", "高风险客户数"),
        "loyalty_at_risk_aum": ("AUM at high risk", "高风险客户资产"),
        "loyalty_mean_stickiness": ("Average stickiness (0–100)", "平均黏性（0–100）"),
        "loyalty_primacy_share": ("Bank is main bank (primacy)", "主办行客户占比"),
        "stickiness_title": ("Stickiness by group", "各客群黏性分布"),
        "group": ("group", "客群"),
        "stickiness_axis": ("stickiness (0–100)", "黏性（0–100）"),
        "model_heading": ("Churn risk model: how good is it?", "流失风险模型：效果如何？"),
        "calibration_error": ("Calibration error", "校准误差"),
        "top_decile_lift": ("Lift in the riskiest 10%", "前10%风险提升度"),
        "model_caption": (
            "{kind}, evaluated on {rows} held-out customers ({churners} churners, base rate {base}). "
            "Estimates, not causal promises.",
            "{kind}，在 {rows} 位留出客户上评估（流失 {churners} 位，基准流失率 {base}）。"
            "结果为模型估计，并非因果承诺。",
        ),
        "model_gradient_boosting": ("Gradient boosting, calibrated", "梯度提升（已校准）"),
        "model_logistic_regression": ("Logistic regression, calibrated", "逻辑回归（已校准）"),
        "model_None": ("No model", "无模型"),
        "calibration_title": ("Calibration: predicted against observed churn", "校准：预测与实际流失率"),
        "predicted": ("predicted probability", "预测概率"),
        "observed": ("observed churn rate", "实际流失率"),
        "perfect": ("perfect calibration", "完美校准"),
        "lift_chart_title": ("Lift by risk decile", "各风险十分位的提升度"),
        "decile": ("decile (1 = riskiest)", "十分位（1 = 风险最高）"),
        "lift": ("lift", "提升度"),
        "risk_heading": ("Where the risk sits", "风险分布"),
        "risk_by_segment": ("Expected churners by group", "各客群预计流失人数"),
        "risk_by_branch": ("Expected churners by branch", "各网点预计流失人数"),
        "expected_churners": ("expected churners next 12 months", "未来12个月预计流失人数"),
        "clv_heading": ("Customer lifetime value and potential", "客户终身价值与潜力"),
        "discount_rate": ("Discount rate", "折现率"),
        "clv_title": ("Lifetime value against headroom to look-alike potential", "终身价值与相似客户潜力差距"),
        "clv_axis": ("lifetime value (CNY, log)", "终身价值（元，对数）"),
        "headroom_axis": ("headroom to potential AUM (CNY, log)", "距潜在资产的差距（元，对数）"),
        "retention_heading": ("Retention what-if", "挽留测算"),
        "retained_share": ("Share of would-be churners kept", "挽留比例"),
        "risk_bands": ("Risk bands targeted", "目标风险等级"),
        "band_high": ("high", "高"),
        "band_medium": ("medium", "中"),
        "band_low": ("low", "低"),
        "what_if_title": ("AUM kept next year, with its range", "明年保留的资产（含区间）"),
        "aum_kept": ("AUM kept", "保留资产"),
        "at_risk_heading": ("At-risk customers to call", "需联系的高风险客户"),
        "all": ("all", "全部"),
        "all_groups": ("All groups", "全部客群"),
        # staff page
        "staff_level": ("Assess", "考核对象"),
        "level_branch": ("Branch", "网点"),
        "level_relationship_manager": ("Relationship manager", "客户经理"),
        "staff_too_few": ("Rankings need at least two units with customers.", "排名至少需要两个有客户的单位。"),
        "staff_preset": ("Scorecard", "计分卡"),
        "staff_baseline": ("Compare with", "对比基准"),
        "staff_weights": ("Indicator weights (always 100% in total)", "指标权重（合计始终为100%）"),
        "staff_current": ("current weights", "当前权重"),
        "staff_custom": ("Custom weights", "自定义权重"),
        "staff_proposed": ("proposed customer-centric weights", "拟议的以客户为中心权重"),
        "staff_showing_proposed": (
            "This scenario keeps the baseline assessment, so the ranking below shows what the Proposed "
            "strategy's customer-centric weights would change. Move a weight or pick a preset to compare your own.",
            "当前情景沿用基准考核，因此下方排名展示“拟议策略”以客户为中心的权重将带来的变化。"
            "调整权重或选择预设即可比较您自己的方案。",
        ),
        "rank": ("Rank", "排名"),
        "rank_change": ("Change", "变化"),
        "score": ("Score", "得分"),
        "baseline_rank": ("Rank before", "原排名"),
        "note": ("Note", "备注"),
        "slope_title": ("Rank under the baseline and under the current weights", "基准权重与当前权重下的排名"),
        "scorecard_heading": ("Scorecards against targets", "对照目标的计分卡"),
        "scorecard_title": ("Indicator status (green / amber / red against target)", "指标状态（绿/黄/红）"),
        "status_green": ("on target", "达标"),
        "status_amber": ("near target", "接近目标"),
        "status_red": ("below target", "未达标"),
        "status_none": ("no target or no data", "无目标或无数据"),
        "guardrail_heading": ("Guardrail: strong on sales, weak on customers", "预警：销售强、客户弱"),
        "guardrail_none": (
            "No unit is strong on sales while weak on customer outcomes.",
            "没有“销售强、客户弱”的单位。",
        ),
        "guardrail_title": ("Sales score against customer-outcome score", "销售得分与客户结果得分"),
        "sales_score": ("sales score (0–100)", "销售得分（0–100）"),
        "customer_score": ("customer-outcome score (0–100)", "客户结果得分（0–100）"),
        "flagged": ("flagged", "预警"),
        "not_flagged": ("others", "其他"),
        "wells_fargo": (
            "Why it matters: sales quotas at Wells Fargo led to millions of unauthorised accounts and "
            "$185M in penalties (2016). Targets should count products customers use.",
            "为何重要：富国银行的销售指标导致数百万未经授权的账户，并于2016年被罚款1.85亿美元。"
            "考核应统计客户实际使用的产品。",
        ),
        # scenarios page
        "scenario_active": ("Active scenario: {name}", "当前情景：{name}"),
        "scenario_save_heading": ("Save the current settings", "保存当前设置"),
        "scenario_name": ("Name", "名称"),
        "scenario_note": ("Note", "备注"),
        "scenario_created": ("Saved (UTC)", "保存时间（UTC）"),
        "fingerprint_col": ("Dataset", "数据集"),
        "scenario_save": ("Save scenario", "保存情景"),
        "scenario_need_name": ("Give the scenario a name first.", "请先为情景命名。"),
        "scenario_saved": (
            "Saved “{name}”: every page's settings as they are now.",
            "已保存“{name}”：各页面当前设置。",
        ),
        "scenario_saved_heading": ("Scenarios in this session", "本次会话的情景"),
        "scenario_select": ("Scenario", "情景"),
        "scenario_load": ("Load", "加载"),
        "scenario_loaded": ("Loaded “{name}” on every page.", "已在所有页面加载“{name}”。"),
        "scenario_duplicate": ("Duplicate", "复制"),
        "copy": ("copy", "副本"),
        "scenario_delete": ("Delete", "删除"),
        "scenario_deleted": ("Deleted “{name}”.", "已删除“{name}”。"),
        "scenario_download": ("Download JSON", "下载 JSON"),
        "scenario_rename_to": ("New name", "新名称"),
        "scenario_rename": ("Rename", "重命名"),
        "scenario_bad_rename": ("Type a new name that no other scenario uses.", "请输入未被使用的新名称。"),
        "scenario_upload": ("Upload a scenario (JSON)", "上传情景（JSON）"),
        "scenario_added": ("Added the scenario from {name}.", "已添加 {name} 中的情景。"),
        "scenario_refused": ("{name} was not added: {error}", "{name} 未添加：{error}"),
        "scenario_link_heading": ("Shareable link", "分享链接"),
        "scenario_link_note": (
            "The link carries the settings only, never customer data; whoever opens it needs the "
            "same dataset to see the same numbers.",
            "链接只包含设置，不含任何客户数据；打开者需使用同一数据集才能看到相同结果。",
        ),
        "compare_heading": ("Compare scenarios", "情景对比"),
        "compare_pick": ("Scenarios to compare (2–4; the first is the reference)", "对比的情景（2–4个，第一个为参照）"),
        "compare_need_two": ("Pick at least two scenarios to compare.", "请至少选择两个情景进行对比。"),
        "compare_scenario": ("Scenario", "情景"),
        "compare_opportunity_value": ("Product opportunity a year", "年度产品机会"),
        "compare_gap_value": ("Closing every gap a year", "补齐全部缺口/年"),
        "compare_at_risk_aum": ("AUM at high churn risk", "高流失风险资产"),
        "compare_retained_aum": ("AUM kept by retention", "挽留保留资产"),
        "compare_opportunity_delta": ("Opportunity vs reference", "机会差异"),
        "compare_at_risk_delta": ("At-risk AUM vs reference", "风险资产差异"),
        "compare_retained_delta": ("Kept AUM vs reference", "保留资产差异"),
        "compare_migration": ("Customers by tier: reference → {name}", "分层迁移：参照 → {name}"),
        # exports and meeting
        "export_heading": ("Take it to the meeting", "带到会议上"),
        "deck_template": ("Company PowerPoint template (optional)", "公司 PowerPoint 模板（可选）"),
        "download_deck": ("PowerPoint deck", "PowerPoint 演示文稿"),
        "download_html": ("HTML report (offline)", "HTML 报告（可离线）"),
        "download_tables": ("Excel tables", "Excel 表格"),
        "png_chart": ("Chart as PNG", "导出图表为 PNG"),
        "make_png": ("Render PNG", "生成 PNG"),
        "download_png": ("Download PNG", "下载 PNG"),
        "meeting_progress": ("Step {n} of {total}", "第 {n} 步，共 {total} 步"),
        "meeting_back": ("← Back", "← 上一步"),
        "meeting_next": ("Next →", "下一步 →"),
        "speaker_notes": ("Speaker notes", "演讲备注"),
        # playbook page
        "playbook_scenario": (
            "Built from the current settings (scenario: {name}); change a page's controls and this page follows.",
            "依据当前设置生成（情景：{name}）；调整各页面控件，本页随之更新。",
        ),
        "executive_summary": ("Executive summary: the five most material findings", "要点摘要：最重要的五项发现"),
        "materiality": ("At stake: {value} a year. {rule}", "涉及金额：每年 {value}。{rule}"),
        "findings_skipped": ("Findings the data cannot support ({n})", "数据不足以支持的发现（{n}）"),
        "plays_heading": ("Per customer group", "分客群策略"),
        "play_service_model": ("Service model", "服务模式"),
        "play_product": ("Offer", "推荐产品"),
        "play_stickiness": ("Stickiness lever", "黏性抓手"),
        "play_risk": ("Risk to watch", "风险关注"),
        "play_trace": ("Because {metric} = {value} (rule {rule})", "依据：{metric} = {value}（规则 {rule}）"),
        "guarantees_heading": ("Guarantee measures", "保障措施"),
        "guarantee_area": ("Area", "领域"),
        "guarantee_kpi": ("KPI", "指标"),
        "guarantee_current": ("Now", "当前"),
        "guarantee_target": ("Target", "目标"),
        "guarantee_owner": ("Owner", "负责人"),
        "guarantee_milestone": ("Milestone", "里程碑"),
        "guarantees_met": (
            "{met} of {total} measurable KPIs meet their target.",
            "{total} 项可衡量指标中 {met} 项达标。",
        ),
        # result-table headers
        "col_group": ("Group", "客群"),
        "col_segment": ("Group", "客群"),
        "col_status": ("Status", "状态"),
        "col_annual_change": ("Change a year", "年变化率"),
        "col_lower": ("Low (95%)", "下限（95%）"),
        "col_upper": ("High (95%)", "上限（95%）"),
        "col_yoy": ("Year on year", "同比"),
        "col_cagr": ("Compound rate", "复合增长率"),
        "col_counter_12m": ("Counter, 12 months", "近12个月柜面"),
        "col_months_used": ("Months used", "使用月数"),
        "col_halving_month": ("Halves by", "减半时间"),
        "col_rank": ("Rank", "排名"),
        "col_reason": ("Note", "说明"),
        "col_branch": ("Branch", "网点"),
        "col_forecast_basis": ("Forecast from", "预测依据"),
        "col_counter_next_12m": ("Counter, next 12 months", "未来12个月柜面"),
        "col_in_scope_share": ("Share in scope", "覆盖比例"),
        "col_moved_off_counter": ("Moved off the counter", "转出柜面"),
        "col_counter_after": ("Counter after", "调整后柜面"),
        "col_tellers_now": ("Tellers now", "现有柜员"),
        "col_tellers_after": ("Tellers after", "调整后柜员"),
        "col_tellers_freed": ("Tellers freed", "释放柜员"),
        "col_customer_id": ("Customer", "客户号"),
        "col_relationship_manager": ("Relationship manager", "客户经理"),
        "col_aum": ("AUM", "资产"),
        "col_aum_12m_ago": ("AUM a year ago", "一年前资产"),
        "col_aum_trend": ("AUM change", "资产变化"),
        "col_counter_prev_12m": ("Counter, 12 months before", "前12个月柜面"),
        "col_digital_prev_12m": ("Digital, 12 months before", "前12个月数字渠道"),
        "col_digital_12m": ("Digital, 12 months", "近12个月数字渠道"),
        "col_product_name": ("Product", "产品"),
        "col_propensity": ("Propensity", "购买倾向"),
        "col_expected_value": ("Expected value a year", "年预期价值"),
        "col_reasons": ("Why", "原因"),
        "col_customers": ("Customers", "客户数"),
        "col_total_clv": ("Lifetime value", "终身价值合计"),
        "col_mean_clv": ("Lifetime value per customer", "户均终身价值"),
        "col_total_contribution": ("Contribution a year", "年度贡献"),
        "col_total_headroom": ("Headroom to potential", "潜力差距"),
        "col_churn_probability": ("Churn probability", "流失概率"),
        "col_risk_band": ("Risk", "风险等级"),
        "col_contribution": ("Contribution a year", "年度贡献"),
        "col_clv": ("Lifetime value", "终身价值"),
        "col_name": ("Name", "名称"),
        "col_share": ("Share", "占比"),
        "col_bank_share": ("Bank share", "全行占比"),
        "col_index": ("Index (bank = 100)", "指数（全行 = 100）"),
        "col_unit": ("Unit", "单位"),
        "col_rank_reference": ("Rank, reference", "参照排名"),
        "col_rank_scenario": ("Rank, scenario", "情景排名"),
        "col_rank_change": ("Change", "变化"),
        "col_scenario": ("Scenario", "情景"),
        "not_available": ("n/a", "暂无"),
    }
)


def translate(key: str, lang: str, /, **params: object) -> str:
    """Return the text for ``key`` in ``lang`` (``en`` or ``zh``), with ``params`` filled in.

    An unknown key returns the key itself, so a missing translation is visible, not fatal.
    """
    pair = TEXT.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "zh" else pair[0]
    return text.format(**params) if params else text


def current_lang() -> str:
    """The session's language code."""
    choice = st.session_state.get(LANG_KEY)
    return LANG_CODES.get(choice, choice if choice in LANG_CODES.values() else "en")


def t(key: str, /, **params: object) -> str:
    """Translate ``key`` into the session's language."""
    return translate(key, current_lang(), **params)


def money(value: float | None) -> str:
    """Money in the session's language: 万/亿 in Chinese, K/M/B in English."""
    return formatting.format_money(value, current_lang())


def count(value: float | None) -> str:
    """A whole count in the session's language."""
    return formatting.format_count(value, current_lang())


def month_label(timestamp) -> str:
    """A month as 'Oct 2026' or '2026年10月'."""
    return f"{timestamp.year}年{timestamp.month}月" if current_lang() == "zh" else timestamp.strftime("%b %Y")
