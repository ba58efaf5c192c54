-- What volunteers are told now goes through the notifications module (kinds
-- "volunteer.<what>", seen in the console bell and the phone's 我的消息). The
-- notices written before are carried over as read, and their table goes.
INSERT INTO notifications (user_id, kind, title, body, subject_type, subject_id, created_at,
                           read_at)
SELECT v.user_id, 'volunteer.' || n.kind,
       CASE n.kind
         WHEN 'approved' THEN '志愿者注册已通过'
         WHEN 'rejected' THEN '志愿者注册未通过'
         WHEN 'activity_cancelled' THEN '活动已取消'
         WHEN 'waitlist_promoted' THEN '候补转为正式报名'
         ELSE '志愿服务消息'
       END,
       n.message,
       CASE WHEN n.activity_id IS NULL THEN 'volunteer' ELSE 'volunteer_activity' END,
       COALESCE(n.activity_id, n.volunteer_id), n.created_at, n.created_at
FROM volunteer_notices n JOIN volunteers v ON v.id = n.volunteer_id
ORDER BY n.id;
DROP TABLE volunteer_notices;
