import type { Gender, Relation, ResidenceType } from '@/api'

export const GENDERS: Gender[] = ['male', 'female']
export const RESIDENCE_TYPES: ResidenceType[] = ['registered', 'resident', 'floating']
export const RELATIONS: Relation[] = ['head', 'spouse', 'child', 'parent', 'grandchild', 'sibling', 'other']
export const IMPORT_COLUMNS = [
  '姓名', '性别', '出生日期', '身份证号', '手机号', '网格编码', '楼幢', '单元', '楼层', '房号', '与户主关系', '居住类型', '标签', '备注',
]
export const CHILD_LEVEL = { city: 'district', district: 'street', street: 'community', community: 'grid', grid: null } as const
