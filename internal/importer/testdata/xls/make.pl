#!/usr/bin/perl
# Writes the legacy .xls (BIFF8) fixtures with Spreadsheet::WriteExcel and
# dumps every cell as Spreadsheet::ParseExcel reads it (*.cells.tsv), so
# kith's reader is checked against another's. Debian:
#   apt-get install libspreadsheet-writeexcel-perl libspreadsheet-parseexcel-perl
#   cd internal/importer/testdata/xls && perl make.pl
# gnumeric.xls is not made here: it is an XLSX written with excelize (the
# rows in gnumeric.cells.tsv, formulas =1/0, =D3*2, ="a"&"中",
# =E3>3, a hidden second sheet) saved by Gnumeric as Excel does, in RK,
# BOOLERR and FORMULA records with a STRING record after a text result:
#   ssconvert --recalc in.xlsx gnumeric.xls
use strict; use warnings; use utf8;
use Spreadsheet::WriteExcel;
use Spreadsheet::ParseExcel;

# orders.xls: a notes sheet first, then the orders under a title row, with
# dates, money, numbers as phones, long text (the string table goes on in
# CONTINUE records, a string split across them), formulas with number,
# text, boolean and error results, a column written after all the rows
# (cells out of row order), and a hidden lookup sheet.
my $wb = Spreadsheet::WriteExcel->new('orders.xls') or die;
my $notes = $wb->add_worksheet('说明');
$notes->write_string(0, 0, '订单导出 2024年1月');
my $ws = $wb->add_worksheet('订单');
my $date = $wb->add_format(num_format => 'yyyy-mm-dd hh:mm');
my $money = $wb->add_format(num_format => '¥#,##0.00');
$ws->write_string(0, 0, '订单导出报表');
my @h = ('订单号', '客户编号', '姓名', '下单时间', '实付金额', '渠道', '手机', '备注', '公式');
$ws->write_string(2, $_, $h[$_]) for 0 .. $#h - 1;
my @names = ('张三', '李四', '王五', 'Anna Smith', 'Zoë Müller');
for my $i (1 .. 600) {
    my $r = $i + 2;
    $ws->write_string($r, 0, sprintf('XL%05d', $i));
    $ws->write_string($r, 1, sprintf('C%04d', $i % 300));
    $ws->write_string($r, 2, $names[$i % @names] . ($i % 7 == 0 ? '的店铺第' . $i . '号' : ''));
    $ws->write_date_time($r, 3, sprintf('2024-%02d-%02dT%02d:%02d:00', 1 + $i % 12, 1 + $i % 28, $i % 24, $i % 60), $date);
    $ws->write_number($r, 4, $i % 5 == 0 ? 100 * $i : $i * 1.25, $money);
    $ws->write_string($r, 5, ('抖音', '微信', '淘宝')[$i % 3]);
    $ws->write_number($r, 6, 13800000000 + $i);
    $ws->write_string($r, 7, '备注' x ($i % 13) . "长文本$i") if $i % 3 == 0;
}
$ws->write_string(500, 7, '很长的备注' x 1500);    # 7,500 characters: several records
# (Text results in ASCII: WriteExcel writes a formula's other text
# big-endian, which Excel itself would misread.)
my @results = ('12.5', 'text result', 'TRUE', 'FALSE', '#N/A', '#DIV/0!');
for my $i (1 .. 600) {    # written last: its cells come after every row's
    $ws->write_formula($i + 2, 8, '=E' . ($i + 3) . '*2', undef, $results[$i % @results]);
}
$ws->write_string(2, 8, $h[8]);
my $hidden = $wb->add_worksheet('lookup');
$hidden->write_string(0, 0, '渠道');
$hidden->hide();
$wb->close;

# dates1904.xls: a workbook counting dates from 1904 (Excel for Mac).
$wb = Spreadsheet::WriteExcel->new('dates1904.xls') or die;
$wb->set_1904();
$ws = $wb->add_worksheet('Orders');
$ws->write_row(0, 0, ['order_id', 'customer_id', 'ordered_at', 'amount']);
$ws->write_row(1, 0, ['M1', 'C1']);
$ws->write_date_time(1, 2, '2024-03-15T09:30:00', $wb->add_format(num_format => 'yyyy-mm-dd hh:mm'));
$ws->write_number(1, 3, 99.5);
$wb->close;

for my $file ('orders.xls', 'dates1904.xls', 'gnumeric.xls') {
    my $book = Spreadsheet::ParseExcel->new->parse($file) or die "$file: cannot read it back";
    (my $out = $file) =~ s/\.xls$/.cells.tsv/;
    open my $fh, '>:encoding(UTF-8)', $out or die;
    for my $s ($book->worksheets) {
        my ($r0, $r1) = $s->row_range;
        my ($c0, $c1) = $s->col_range;
        for my $r ($r0 .. $r1) {
            for my $c ($c0 .. $c1) {
                my $cell = $s->get_cell($r, $c) or next;
                # unformatted gives a number's value (a date's serial) but a text's
                # raw bytes, UTF-16 for Chinese: text is its value.
                my $v = $cell->type eq 'Text' ? $cell->value : $cell->unformatted;
                next if !defined $v || $v eq '';
                print $fh join("\t", $s->get_name, $r + 1, $c + 1, $v), "\n";
            }
        }
    }
    close $fh;
}
