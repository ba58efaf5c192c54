// Converts the first sheet of an .xlsx file to UTF-8 CSV in the browser. exceljs is large,
// so it is imported here lazily and only when the user actually picks an xlsx file.

function cellText(v: unknown): string {
  if (v === null || v === undefined) return ''
  if (v instanceof Date) {
    // exceljs gives dates as UTC midnight
    const p = (n: number) => String(n).padStart(2, '0')
    return `${v.getUTCFullYear()}-${p(v.getUTCMonth() + 1)}-${p(v.getUTCDate())}`
  }
  if (typeof v === 'number') {
    return Number.isInteger(v) ? v.toLocaleString('fullwide', { useGrouping: false }) : String(v)
  }
  if (typeof v === 'object') {
    const o = v as { richText?: { text: string }[]; result?: unknown; text?: string; error?: string }
    if (o.richText) return o.richText.map((r) => r.text).join('')
    if ('result' in o) return cellText(o.result)
    if (o.text !== undefined) return String(o.text)
    return ''
  }
  return String(v)
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

export async function xlsxToCsv(file: File): Promise<string> {
  const { default: ExcelJS } = await import('exceljs')
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(await file.arrayBuffer())
  const ws = wb.worksheets[0]
  if (!ws) return ''
  const width = ws.columnCount
  const lines: string[] = []
  ws.eachRow({ includeEmpty: false }, (row) => {
    const cells: string[] = []
    for (let c = 1; c <= width; c++) cells.push(csvField(cellText(row.getCell(c).value).trim()))
    lines.push(cells.join(','))
  })
  return lines.join('\r\n') + '\r\n'
}
