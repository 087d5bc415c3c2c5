#!/usr/bin/env python3
"""Generate the bundled demo data set (posts, items, interactions).

All texts below were written by hand for this project; nothing is copied
from an existing data set.  The script is deterministic (random.Random(7))
and uses only the standard library:

    python3 assets/make_demo.py

It (re)writes demo_items.csv, demo_posts.csv, demo_interactions.csv and
README.md next to this file.
"""
import csv
import datetime as dt
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 7

AREAS = [
    "cooking", "football", "photography", "personal_finance",
    "gardening", "video_games", "travel", "fitness",
]

# For every area: 10 catalogue items.  Each item is
# (title, description, [English posts about it], [Chinese posts about it]).
# The last item of every area is a Chinese-language catalogue entry.
CATALOGUE = {
    "cooking": [
        ("Sourdough starter guide",
         "How to feed, store and revive a sourdough starter so your loaves rise with an open crumb and a crisp crust.",
         ["Followed the feeding schedule for a week and my starter finally doubles in six hours. First loaf had a crackly crust and a proper open crumb.",
          "Good explanation of hydration, but I wish it covered rye flour. My starter smells like nail polish remover whenever I forget to feed it.",
          "The tip about keeping the jar in the oven with only the light on saved my winter baking. The bread came out tangy and tall.",
          "I revived a starter that had sat in the fridge for a month using the discard method described here. Took three feedings, but it bubbled back to life.",
          "Clear and patient guide. Baked two boules this weekend and gave one to my neighbour, who asked for the recipe immediately."],
         ["按照这篇教程喂了一周的酸面种，终于烤出了外皮酥脆、组织松软的面包。"]),
        ("One-pan weeknight dinners",
         "Video series: twelve dinners cooked in a single skillet in under thirty minutes, with minimal washing up.",
         ["The lemon chicken with chickpeas is now on rotation at our house. Thirty minutes, one skillet, and the kids actually ate the spinach.",
          "Honest timing, unlike most cooking videos. I made the sausage and pepper orzo after work and still had time for a walk.",
          "Loved the gnocchi bake, although my pan was too small and the sauce bubbled over. Use a deep skillet if you try it.",
          "Great for someone cooking for one. I halve the recipes and have a ready-made lunch for the next day.",
          "The shrimp and tomato dish needed more garlic for my taste, but the technique of searing first and then deglazing the pan was spot on."],
         ["下班回家只想用一个锅做饭，这个系列太实用了，番茄鸡肉饭二十分钟就搞定。"]),
        ("Chef's knife 20 cm",
         "A carbon steel chef's knife with a full tang and wooden handle, sharpened to a fine 15-degree edge.",
         ["Sharp out of the box and it holds its edge through a week of onions and carrots. Just dry it right away, because carbon steel rusts.",
          "The balance is excellent and dicing shallots feels effortless now. It developed a grey patina after cutting lemons, which I actually like.",
          "The handle is a bit small for my hands, but the blade glides through butternut squash without wedging. Worth the price.",
          "Bought this to replace a dull block set and I can finally slice tomatoes paper thin. Honing it weekly keeps it keen."],
         ["这把碳钢主厨刀切洋葱又快又稳，不过用完一定要马上擦干，不然会生锈。"]),
        ("Homemade pasta without a machine",
         "Step-by-step article on mixing egg dough, rolling it out by hand and cutting tagliatelle and pappardelle.",
         ["Rolled my first sheet of tagliatelle with a wine bottle because I own no rolling pin. Uneven, but it tasted far better than dried pasta.",
          "The ratio of one egg per hundred grams of flour worked perfectly. Resting the dough for half an hour made it so much easier to roll.",
          "Made pappardelle with a slow-cooked beef ragu on Sunday. Messy kitchen, flour everywhere, very happy family.",
          "I added semolina as suggested and the noodles kept their bite. Next time I want to try filled ravioli with ricotta and spinach.",
          "Clear photos of each stage. The dough felt too dry at first, but a few drops of water and some extra kneading fixed it."],
         ["第一次不用压面机手擀意面，面团醒了半小时后特别好擀，配上肉酱非常香。"]),
        ("Spice blending basics",
         "A beginner's guide to toasting, grinding and blending whole spices, with recipes for garam masala and ras el hanout.",
         ["Toasting cumin and coriander seeds before grinding changed everything. My curry smells like the one from our favourite restaurant now.",
          "I bought a cheap coffee grinder just for spices after reading this. The homemade garam masala is far brighter than the supermarket jar.",
          "The ras el hanout recipe went straight into a lamb tagine. A little heavy on cinnamon, so I cut it back the second time.",
          "Useful note about storing ground spices away from the stove. I had no idea that heat and light dulled them so quickly."],
         ["把孜然和香菜籽先干锅炒香再磨粉，做出来的咖喱香味浓了好几倍。"]),
        ("Cast iron care video",
         "How to season, clean and restore a rusty cast iron pan, and which cooking fats give the toughest coating.",
         ["Rescued my grandmother's rusty skillet with steel wool and three rounds of seasoning in the oven. Fried eggs slide around the pan now.",
          "Finally someone says a little dish soap is fine. I stopped being scared of washing my pan and it still looks glossy and black.",
          "Flaxseed oil flaked off for me, so I switched to the shortening method from this video and the coating is much tougher.",
          "Short, practical and free of gimmicks. I now bake cornbread in cast iron every Sunday and the crust is perfect."],
         ["跟着视频把外婆留下的生锈铸铁锅重新开锅，现在煎蛋一点都不粘。"]),
        ("Meal prep for a busy week",
         "Plan, shop and batch cook five lunches and dinners on a Sunday afternoon, with storage tips to keep food fresh.",
         ["Spent two hours in the kitchen on Sunday and had grain bowls ready until Thursday. The roasted vegetables stayed crisp in glass containers.",
          "The shopping list template alone is worth it. We wasted far less food this month and the fridge finally looks organised.",
          "By Wednesday the rice was a bit dry, but a splash of water before microwaving fixed it. Saving a lot on takeaway lunches.",
          "Doubling the chilli recipe and freezing half was a smart tip. Busy weeks feel much calmer when dinner is already cooked.",
          "I liked that sauces and dressings are stored separately so the salads do not go soggy. Will repeat next weekend."],
         ["周日花两个小时备好了一周的午餐，糙米饭配烤蔬菜，省钱又健康。"]),
        ("Dutch oven braised short ribs",
         "Recipe: beef short ribs browned and then braised in red wine with carrots, garlic and thyme for three hours.",
         ["The house smelled amazing all afternoon. The meat fell off the bone and the wine sauce turned glossy after reducing.",
          "I used beef stock instead of wine and the braise was still rich. Browning the ribs in batches really matters for the crust.",
          "Served over mashed potatoes for a birthday dinner and everyone went back for seconds. Skim the fat before serving.",
          "Took closer to four hours in my oven, so plan ahead. Worth every minute of the wait, especially with crusty bread."],
         ["用铸铁锅炖了三个小时的红酒牛小排，肉软烂脱骨，酱汁浓郁。"]),
        ("Fermented vegetables at home",
         "A simple guide to lacto-fermenting cabbage, carrots and chillies in jars using nothing but salt and water.",
         ["My first jar of sauerkraut is bubbling away on the counter. Two percent salt by weight is an easy rule to remember.",
          "The fermented chilli sauce is fantastic on eggs. A white film appeared on top, and the guide explained it was a harmless yeast.",
          "Carrot sticks with dill and garlic turned pleasantly tangy in five days. My kids snack on them straight from the jar.",
          "Weighing the vegetables down under the brine with a small bag of water is a clever trick. No more mould on top.",
          "The kimchi-style cabbage came out crunchy and sour. I am going to try fermenting radishes and green beans next."],
         ["第一次自己腌酸白菜，盐按蔬菜重量的百分之二放，五天后就酸脆可口了。"]),
        ("家常红烧肉做法",
         "从选五花肉、焯水到炒糖色，一步步做出肥而不腻、色泽红亮的红烧肉。",
         ["Used a translation tool to follow this braised pork belly recipe. Caramelising the sugar was scary, but the glaze came out shiny and dark.",
          "Rich, sweet and savoury at the same time. I blanched the pork first as instructed and the sauce tasted much cleaner.",
          "Made it with rock sugar and Shaoxing wine from the Asian grocery. Best pork belly I have ever cooked at home.",
          "Needed a long, gentle simmer to get the meat tender, around ninety minutes. Served it over plain rice with steamed greens."],
         ["照着做了红烧肉，糖色炒到枣红色再下肉，颜色红亮，一点也不腻。",
          "焯水时加了姜片和料酒，腥味全去掉了，小火炖一个半小时刚刚好。"]),
    ],
    "football": [
        ("Match analysis: high press vs low block",
         "Tactical breakdown of how a pressing side broke down a deep defensive block, with clips of the pressing triggers.",
         ["Great breakdown of pressing triggers. I never noticed how the winger curves his run to cut off the pass to the full-back.",
          "The clip of the midfield trap just after the hour mark is brilliant. This is why our team kept winning the ball so high up the pitch.",
          "Solid analysis, though it ignores how tired the press looked in the last twenty minutes. The low block nearly stole a point.",
          "I coach an under-twelves side and showed them the pressing clips. They finally understand why we push up together as a unit.",
          "Would love a follow-up on how teams bypass a high press with long diagonal balls into the striker."],
         ["这期战术分析把高位逼抢讲得很透，边锋弧线跑位封堵传球线路的细节以前完全没注意。"]),
        ("Home kit 2025/26 jersey",
         "Official replica home shirt with breathable mesh panels and an embroidered club crest.",
         ["The fabric is light and the crest is stitched rather than printed, which feels premium. Runs a size small, so order up.",
          "Wore it to the derby and we won three-nil, so it's staying in the lucky drawer. The colours are brighter than in the photos.",
          "Pricey for a replica shirt, but the mesh panels keep you cool in a packed stadium during an August kick-off.",
          "The name and number printing peeled slightly after a hot wash. Turn the shirt inside out and wash it cold."],
         ["新赛季主场球衣做工不错，队徽是刺绣的，就是尺码偏小，建议买大一号。"]),
        ("Five-a-side training drills",
         "Video: ten small-sided drills for passing, first touch and quick transitions, suitable for amateur teams.",
         ["We ran the rondo and the two-touch square drill at Tuesday training. Everyone's first touch looked sharper by the weekend match.",
          "Good variety and easy to set up with a handful of cones. The transition game gets really competitive by the end.",
          "Perfect for our five-a-side group, who only have an hour of pitch time a week. We warm up with the passing triangle now.",
          "The finishing drill needs a goalkeeper, which we rarely have, but the rest of the drills work fine with six players.",
          "My daughter's team loved the dribbling gates game. Lots of touches on the ball and lots of laughing."],
         ["周末五人制训练用了视频里的抢圈练习，大家的一脚传球明显更流畅了。"]),
        ("Season preview: title contenders",
         "Long read on squad depth, transfer business and fixture lists for the clubs most likely to win the league.",
         ["Bold call putting the newly promoted side in the top half, but the reasoning about their midfield signings is convincing.",
          "I disagree about our defence being a weakness. The new centre-back has been excellent throughout pre-season.",
          "Loved the fixture difficulty chart. December looks brutal for the champions, with four away games in two weeks.",
          "A fair preview that doesn't just repeat the transfer gossip. The section on injured strikers was spot on.",
          "Half of these predictions will look silly by March, which is exactly why I enjoy reading league previews."],
         ["这篇赛季前瞻对各队阵容深度的分析很到位，就是对我主队后防线的评价太低了。"]),
        ("Football boots for firm ground",
         "Lightweight boots with a knitted upper and bladed studs designed for firm natural grass pitches.",
         ["Broke them in after two sessions and got no blisters. The knitted upper gives a lovely feel when striking the ball.",
          "The studs grip well on dry grass, but I slipped a lot on a muddy pitch in February. Need soft-ground boots for winter.",
          "Very light, maybe too light for a centre-back like me. I miss the padding when I throw myself in front of shots.",
          "The stitching near the toe split after three months of Sunday league football. Disappointing for the price."],
         ["这双足球鞋很轻，鞋面包裹感好，在草地上很抓地，不过下雨天容易打滑。"]),
        ("Goalkeeping fundamentals",
         "Article covering the set position, diving technique, handling crosses and distribution for young goalkeepers.",
         ["Our keeper had been diving off the wrong foot for years. After working through this he saved two penalties this month.",
          "The part about claiming crosses at the highest point is gold. Call for the ball early and loudly.",
          "Good diagrams of the set position. I wish there was more about playing out from the back with your feet.",
          "As the parent of a young goalie, this helped me understand why the coach keeps talking about footwork."],
         ["门将基础这篇很适合青少年球员，扑救时先迈哪只脚讲得很清楚。"]),
        ("Derby day highlights",
         "Extended highlights of the city derby, including both goals, the red card and the late penalty save.",
         ["That first-half volley is the goal of the season, no contest. I replayed it ten times in slow motion.",
          "Harsh red card in my opinion, because he clearly got the ball first. The referee lost control of the game after that.",
          "The late penalty save had my whole living room screaming. What a way to finish a derby.",
          "Nice that the highlights include the build-up play and not just the goals. The atmosphere in the stadium was incredible.",
          "We were second best for an hour, but the substitutes changed the game. Great decision by the manager."],
         ["同城德比太精彩了，最后时刻门将扑出点球，我在家都喊出来了。"]),
        ("Fantasy football mid-season tips",
         "Transfer strategy, captain picks and wildcard timing for the second half of the fantasy league season.",
         ["Took the advice to captain the in-form striker and he scored a hat-trick. Jumped fifty thousand places in the rankings.",
          "The wildcard timing advice was useful, but I had already burned mine in October. Lesson learned for next season.",
          "Good point about double gameweeks. I'm now holding two defenders from clubs with an easy run of fixtures.",
          "Benched the wrong midfielder again this week and he scored twice. No article can save me from myself."],
         ["看了这篇梦幻足球攻略，把队长给了状态火热的前锋，结果他上演了帽子戏法。"]),
        ("Women's league rising stars",
         "Profiles of five young players making their mark in the women's top division this season.",
         ["Went to my first women's league match after reading this, and the young left winger was unstoppable all afternoon.",
          "Really enjoyed the profile of the teenage centre-back. Her reading of the game is far beyond her age.",
          "Coverage like this is long overdue. Attendance at our local women's club has doubled this year.",
          "I would add the midfielder on loan from the north, who currently leads the league in assists."],
         ["女足联赛的年轻球员越来越强，那位十八岁中卫的比赛阅读能力太惊人了。"]),
        ("业余足球队组队指南",
         "如何组建一支业余足球队：招募队员、安排训练、租场地以及报名城市业余联赛。",
         ["Used this to start a five-a-side team at work. Booking a regular pitch was the hardest part, just like the guide says.",
          "Helpful checklist for registering with the local amateur league. We play our first official fixture next month.",
          "The advice to rotate who brings the bibs and balls avoids a lot of arguments. Small details matter in amateur football.",
          "We followed the plan of one training session a week plus a friendly match, and the squad is finally gelling."],
         ["照着这篇组建了公司业余球队，最麻烦的果然是固定租场地。",
          "报名了城市业余联赛，第一场就踢平了，大家说下周要加练定位球。"]),
    ],
    "photography": [
        ("50mm f/1.8 prime lens",
         "A compact fixed focal length lens with a wide aperture for portraits, street shots and low light.",
         ["The background blur at f/1.8 is creamy and the lens weighs almost nothing. It basically lives on my camera now.",
          "Autofocus hunts a little in dim restaurants, but sharpness stopped down to f/4 is excellent across the frame.",
          "The best cheap upgrade from a kit zoom. Walking closer instead of zooming made me think more about composition.",
          "Portraits of my son at golden hour came out glowing. Slight purple fringing on backlit branches, though.",
          "The plastic mount feels fragile, so I'm careful when changing lenses. Optical quality is way beyond the price."],
         ["今天用新买的五十毫米定焦镜头拍了夕阳下的人像，背景虚化特别柔和。"]),
        ("Understanding the exposure triangle",
         "Beginner article explaining how aperture, shutter speed and ISO work together, with example photos.",
         ["Finally understand why my indoor shots were blurry: the shutter speed was too slow, not a bad lens.",
          "The bucket-of-water analogy for exposure made it click for me. I switched to aperture priority mode the same afternoon.",
          "Nice examples showing noise at high ISO. I used to be afraid of going above ISO 800 for no good reason.",
          "Would have liked a section on metering modes, but otherwise a clear explanation for beginners with a new camera."],
         ["终于搞懂了光圈、快门和感光度之间的关系，室内拍照不再糊了。"]),
        ("Landscape photography at blue hour",
         "Video: planning, tripod setup and long exposures for cityscapes and coastlines just after sunset.",
         ["Shot the harbour twenty minutes after sunset with a two-second exposure and the sky turned a deep blue. Magic.",
          "The tips on planning apps helped me work out where the light would fall on the cliffs. Worth the cold evening.",
          "Remember a remote shutter release or the self-timer. My first attempts were shaky from pressing the button.",
          "The long exposure smoothed the waves into mist. I bracketed three frames and blended them to keep the city lights.",
          "The tripod advice was practical. Hanging my camera bag from the centre column stopped the wind wobble."],
         ["日落后的蓝调时刻在海边拍了长曝光，海浪变得像雾一样，效果很梦幻。"]),
        ("Lightroom editing workflow",
         "From import and culling to colour grading and export: a repeatable editing workflow for large batches of photos.",
         ["Culling with star ratings before editing saves me hours. Went from eight hundred wedding frames to a hundred keepers in one evening.",
          "The tone curve section taught me to stop pushing the clarity slider so hard. My photos look much more natural now.",
          "I copied the export presets for web and print. A small detail, but a huge time saver.",
          "Colour grading with split toning was a bit over my head, but the before and after examples are inspiring."],
         ["学会先用星级筛片再修图，几百张照片一个晚上就整理完了。"]),
        ("Street photography ethics and tips",
         "Article on shooting candid street scenes respectfully, zone focusing and working with available light.",
         ["Zone focusing at f/8 means I can shoot from the hip without missing focus. Fewer people notice the camera, too.",
          "Appreciated the part about respecting people who wave you off. Street photography should never feel predatory.",
          "Spent Saturday at the market watching light and shadow between the stalls. Got my favourite candid frame yet.",
          "Harsh midday sun used to ruin my street shots. Now I look for hard shadows and strong silhouettes instead.",
          "I would add one tip: carry a small camera. My big DSLR made people stiffen up immediately."],
         ["周末去菜市场扫街，光影打在摊位上很有意思，拍到了很满意的抓拍。"]),
        ("Mirrorless camera body",
         "A 24-megapixel mirrorless camera with in-body stabilisation, eye autofocus and weather sealing.",
         ["Eye autofocus tracks my dog running across the garden without a problem. A huge jump from my old DSLR.",
          "Battery life is the weak point. I carry two spares for a full day of shooting at events.",
          "In-body stabilisation let me handhold a half-second exposure at dusk with a sharp result. Impressive.",
          "The grip is small for big hands, so I added an extension grip. Image quality in low light is superb.",
          "The weather sealing survived a drizzly hike along the coast without any issues at all."],
         ["这台无反相机的眼部对焦太好用了，拍奔跑的小狗也能张张清晰。"]),
        ("Macro photography on a budget",
         "Using extension tubes, reversed lenses and a cheap LED panel to photograph insects and flowers up close.",
         ["Extension tubes on my old kit lens got me within centimetres of a bee. Depth of field is razor thin, though.",
          "Reversing a lens felt like a hack, but the detail in the dew drops on a spider web blew me away.",
          "Focus stacking fifteen frames gave me a beetle that is sharp from head to tail. Patience is everything in macro.",
          "A cheap LED panel and a diffuser made from baking paper worked better than my flash for flowers."],
         ["用近摄接圈拍了花蕊上的小蜜蜂，景深很浅，但细节特别清楚。"]),
        ("Portrait lighting with one flash",
         "How to create classic portrait lighting patterns using a single off-camera flash and a reflector.",
         ["Rembrandt lighting with one flash and a white card looked studio quality. My friends all want new headshots now.",
          "Feathering the softbox across the face instead of pointing it straight at the subject was a great tip.",
          "Triggers and manual flash power confused me at first, but the step-by-step settings made it manageable.",
          "I use a cheap foam board as a reflector. It fills the shadows on the far cheek nicely.",
          "Great guide, although I needed a lot of practice before the catchlights landed in the right spot in the eyes."],
         ["只用一支离机闪光灯加一块反光板就拍出了伦勃朗光，效果很像影棚。"]),
        ("Film photography comeback",
         "Why shooting 35mm film is popular again, with tips on choosing film stocks, metering and developing at home.",
         ["Bought a secondhand film camera and loaded a roll of colour negative. Waiting a week for the scans is oddly exciting.",
          "Having only thirty-six frames makes me think before pressing the shutter. My digital keeper rate has improved too.",
          "Developing black and white film at home was easier than I expected. The kitchen smelled of fixer for days.",
          "Film prices are painful now, so I shoot slower and more deliberately. The grain and colours are worth it."],
         ["入了一台二手胶片相机，一卷只有三十六张，每次按快门都更慎重了。"]),
        ("手机夜景拍摄技巧",
         "用手机拍好城市夜景：稳定机身、控制高光、善用夜景模式和后期调色。",
         ["Tried these phone night photography tips on a bridge downtown. Bracing the phone on the railing made the lights crisp.",
          "Lowering the exposure to protect the bright signs was the key advice. My night shots no longer look washed out.",
          "Night mode plus a tiny phone tripod gave surprisingly clean results. No need to carry my camera every evening.",
          "The editing tips for reducing the orange cast from streetlights were really helpful for my city photos."],
         ["手机拍夜景时把曝光调低一点，霓虹灯就不会过曝，细节保留得很好。",
          "把手机靠在栏杆上用夜景模式拍江边，画面干净，几乎看不出噪点。"]),
    ],
    "personal_finance": [
        ("Zero-based budgeting",
         "Give every dollar of income a job: a practical guide to zero-based budgets, sinking funds and monthly reviews.",
         ["Assigning every dollar before the month starts felt tedious, but I found two hundred a month leaking into takeaways.",
          "Sinking funds for car repairs and birthdays mean those costs no longer wreck my monthly budget.",
          "My partner and I now do a twenty-minute money review every Sunday. Far fewer arguments about spending.",
          "The spreadsheet template is simple and works better than the fancy budgeting apps I tried before.",
          "Third month of budgeting and I finally ended with money left over instead of scrambling before payday."],
         ["开始做零基预算后才发现每月外卖花了那么多钱，现在每一笔收入都有明确用途。"]),
        ("Index funds explained",
         "Why low-cost index funds beat most active managers over time, and how to choose one by fees and tracking error.",
         ["The chart comparing fees over thirty years scared me into moving my pension into a low-cost tracker fund.",
          "Clear explanation of expense ratios. I had no idea my old fund was charging almost two percent a year.",
          "I now buy a global index fund every month and ignore the market news. Much less stressful investing.",
          "Good for beginners, although it glosses over currency risk when you invest in international funds."],
         ["看完才知道以前买的主动基金管理费那么高，现在每月定投低费率的指数基金。"]),
        ("Emergency fund: how much is enough",
         "How to size and build an emergency fund, where to keep the money and when it is okay to use it.",
         ["Aimed for three months of expenses in a high-interest savings account. It took a year, but I sleep better now.",
          "Used the fund when my boiler broke in January. No credit card debt this time, which felt amazing.",
          "Good reminder to calculate the target from essential spending, not income. My goal was smaller than I feared.",
          "Automating a transfer on payday was the only way I ever managed to save consistently.",
          "I keep my emergency savings at a separate bank so I'm not tempted to dip into them for holidays."],
         ["应急基金终于攒够了三个月的生活费，上个月车坏了也没有动用信用卡。"]),
        ("Paying off credit card debt",
         "Comparing the avalanche and snowball methods, balance transfers and how to negotiate a lower interest rate.",
         ["The snowball method worked for me psychologically. Clearing the smallest card first gave me real momentum.",
          "Called my bank as suggested and they cut my interest rate by four points. The call took ten minutes.",
          "The avalanche calculator showed I would save over a thousand in interest, so I switched strategies immediately.",
          "Balance transfer fees were higher than I realised, so read the fine print before moving debt between cards."],
         ["用雪球法先还清了最小的一张信用卡，成就感让我更有动力继续还债。"]),
        ("Budgeting app review",
         "Hands-on review of a budgeting app that syncs bank accounts, categorises spending and tracks savings goals.",
         ["Automatic categorisation is about eighty percent accurate. I still fix grocery and restaurant mix-ups by hand.",
          "Love the progress bars for savings goals. Watching the holiday fund grow keeps me motivated every month.",
          "The subscription price is steep for a budgeting app, which is a bit ironic. Cancelled after the free trial.",
          "Bank sync broke twice in one month. Good features, but unreliable connections to my accounts.",
          "The monthly spending report showed subscriptions I had forgotten about. Cancelled three and the app paid for itself."],
         ["这个记账应用自动分类还算准确，每月报表帮我找出了好几个忘记取消的订阅。"]),
        ("Retirement savings in your 30s",
         "How much to save for retirement in your thirties, using employer matching, and balancing it with other goals.",
         ["I wasn't even taking the full employer match. Free money that I had been leaving on the table for years.",
          "The compound interest chart comparing starting at thirty versus forty was a wake-up call. I raised my contribution by three percent.",
          "Balanced advice on saving for a house and for retirement at the same time, without any guilt trip.",
          "Would like more on what to do if you are self-employed and have no workplace pension at all."],
         ["三十岁开始认真存养老金，公司配比的部分以前一直没拿满，太亏了。"]),
        ("Saving money on groceries",
         "Practical ways to cut the weekly food bill: meal planning, unit prices, store brands and reducing waste.",
         ["Comparing unit prices instead of package prices saved me about fifteen percent on the weekly shop.",
          "Switching to store brands for basics like flour and tinned tomatoes made no difference to the taste or to my family.",
          "Shopping with a list and never on an empty stomach sounds obvious, but it really cut my impulse buys.",
          "Tracked our food waste for a month as suggested. We were throwing away nearly a fifth of what we bought."],
         ["买菜前先列清单、比较单价，每周的伙食费少了差不多一成半。"]),
        ("First-time home buyer checklist",
         "Saving a deposit, mortgage pre-approval, closing costs and questions to ask before buying your first home.",
         ["Nobody warned me about closing costs until I read this. I budgeted an extra three percent and that was accurate.",
          "Getting a mortgage pre-approval before viewing houses made the seller take our offer seriously.",
          "The section on fixed versus variable rates was balanced. We chose a five-year fixed mortgage for peace of mind.",
          "Great checklist, but the deposit saving timeline assumes a salary far higher than mine.",
          "Wish I had read the part about surveys earlier. Our roof needed repairs that we had not budgeted for."],
         ["第一次买房才知道除了首付还有那么多交易费用，幸好提前多预留了一笔钱。"]),
        ("Taxes on side income",
         "What freelancers and side hustlers need to know about tracking income and expenses and setting aside tax.",
         ["Setting aside thirty percent of every freelance invoice in a separate account saved me at tax time.",
          "I didn't know I could deduct part of my home internet bill as a business expense. Keep your receipts, people.",
          "Clear explanation of quarterly tax payments. I got a penalty last year for paying everything at once.",
          "Tracking the mileage for my delivery side job added up to a surprisingly large deduction."],
         ["做副业接单后，每笔收入先存三成到单独账户用来交税，年底一点都不慌。"]),
        ("工资到手后的理财顺序",
         "从应急资金、还清高息负债到定投指数基金，一步步规划每月工资的分配。",
         ["A friend translated this salary plan for me. Emergency fund first, then high-interest debt, then investing makes a lot of sense.",
          "Splitting my pay on payday into bills, savings and spending accounts stopped me overspending in the first week.",
          "A simple framework with no jargon. I printed the flowchart and stuck it on the fridge.",
          "Good order of priorities, though I would put the employer pension match even before the emergency fund."],
         ["工资一到账就分成三份：固定开支、储蓄和零花，月底再也不用吃土了。",
          "按照这个顺序，先攒应急金再还高息信用卡，最后才开始定投，心里踏实多了。"]),
    ],
    "gardening": [
        ("Raised bed vegetable garden",
         "Building raised beds, filling them with the right soil mix and planning a first season of vegetables.",
         ["Built two cedar raised beds over a weekend. The lettuce and radishes germinated in under a week.",
          "The soil mix ratio of compost, topsoil and grit worked well, and my carrots grew straight for once.",
          "Raised beds have saved my back. I can weed and harvest without kneeling in the mud now.",
          "Slugs still found my seedlings, so I added copper tape around the edges of each bed.",
          "Great first-season plan. Planting basil between the tomatoes looked lovely and smelled even better."],
         ["周末搭了两个木制抬高苗床，生菜和小萝卜一周内就发芽了。"]),
        ("Composting for beginners",
         "How to balance greens and browns, keep a compost heap hot and turn kitchen scraps into rich soil.",
         ["My compost was a slimy mess until I added more cardboard and dry leaves. Now it is crumbly and smells earthy.",
          "Turning the heap every two weeks made it steam even in winter. Fascinating to watch it break down.",
          "Started a small bokashi bin for cooked scraps as mentioned. It works well on an apartment balcony.",
          "Took nine months to get usable compost, longer than promised, but my tomato beds loved it."],
         ["按照绿料和褐料的比例堆肥，厨余终于变成了松软、带着泥土香味的堆肥。"]),
        ("Tomatoes from seed",
         "Starting tomatoes indoors, hardening off the seedlings, staking and pruning for a big summer harvest.",
         ["Started cherry tomatoes on the windowsill in March. Hardening them off gradually prevented the leaf scorch I had last year.",
          "Pinching out the side shoots felt brutal, but the plants put their energy into fruit. Huge harvest.",
          "Leggy seedlings were always my problem. A cheap grow light above the seed trays fixed it.",
          "Blossom end rot showed up in July. Watering more consistently, especially in hot spells, sorted it out.",
          "The heirloom varieties split after heavy rain, but the flavour beats anything from the shop."],
         ["三月在窗台播种的小番茄，逐步炼苗后再移栽，今年夏天收获满满。"]),
        ("Ergonomic pruning shears",
         "Bypass secateurs with a rotating handle and a replaceable blade, designed to reduce hand strain.",
         ["The rotating handle really reduces the strain on my wrist. Pruned the whole rose bed without aching.",
          "Clean cuts on branches up to two centimetres thick. Sap builds up though, so wipe the blade after use.",
          "The spring feels a bit stiff out of the box but loosened up after a week of deadheading.",
          "Lost my first pair in the hedge within a month, so I bought the bright orange version this time."],
         ["这把修枝剪的旋转手柄很省力，一口气修完整排月季，手腕也不酸。"]),
        ("Houseplants for low light",
         "Ten houseplants that tolerate dim rooms, with watering and repotting advice for each one.",
         ["My north-facing flat finally has some green. The snake plant and the ZZ plant are thriving on neglect.",
          "Overwatering killed my last pothos. The finger test for soil moisture is simple and it works.",
          "Good list, but the peace lily sulked in my darkest corner. I moved it nearer the window and it flowered.",
          "The repotting advice was handy. Root-bound plants perk up quickly in a slightly bigger pot with fresh compost."],
         ["家里朝北光线差，按推荐养了虎尾兰和金钱树，居然长得很好。"]),
        ("Pollinator-friendly flower border",
         "Choosing native perennials that flower from spring to autumn to support bees, butterflies and hoverflies.",
         ["Planted lavender, echinacea and salvia along the fence. The border buzzes with bees all summer long.",
          "I love that the plant list covers early and late flowers. The asters kept butterflies around into October.",
          "Leaving the seed heads standing over winter fed the goldfinches. Messier, but worth it.",
          "Some of the suggested perennials were hard to find locally, so the nursery recommended similar native plants.",
          "Swapped half my lawn for wildflowers after reading this. Less mowing and far more life in the garden."],
         ["沿着围栏种了薰衣草和松果菊，整个夏天都有蜜蜂和蝴蝶来访。"]),
        ("Drip irrigation setup",
         "Video guide to installing a simple drip irrigation system with a timer for beds and containers.",
         ["Installed the drip lines in an afternoon. The timer waters at dawn and my containers no longer dry out.",
          "The water bill dropped noticeably compared to running a sprinkler, and the plants look healthier too.",
          "The emitters clogged after a month with our hard water, so add a filter at the outdoor tap.",
          "Clear video, although punching holes into the main supply line takes more grip strength than expected."],
         ["装了滴灌系统加定时器，出差一周回来，花盆里的植物依然生机勃勃。"]),
        ("Winter garden jobs",
         "What to do in the garden during the cold months: mulching, pruning fruit trees, planning and cleaning tools.",
         ["Mulched the beds with leaf mould in November and the soil was beautifully dark and loose by spring.",
          "Pruned the apple trees in February following the diagrams. Open centre shape, lots of blossom this year.",
          "Cleaning and oiling my tools in winter is boring work, but my old spade looks new again.",
          "I use the cold months to plan the vegetable rotation. The crop planning template here is handy."],
         ["冬天给苗床铺了一层落叶腐殖土，开春翻地时土壤特别松软。"]),
        ("Growing herbs on a balcony",
         "Container herb garden ideas for small balconies: basil, mint, thyme, rosemary and chives.",
         ["The mint went into its own pot as advised, otherwise it would have taken over the whole balcony.",
          "Rosemary and thyme love my sunny railing, while the basil sulks whenever the wind picks up.",
          "Cooking with fresh chives snipped from a pot outside the kitchen door is a small daily joy.",
          "Self-watering containers were a good tip for a windy fourth-floor balcony that dries out fast.",
          "Harvesting basil from the top encouraged it to bush out instead of flowering too early."],
         ["阳台上种了薄荷、罗勒和迷迭香，做饭时随手摘几片，特别方便。"]),
        ("阳台种菜入门",
         "在城市阳台用花盆种小白菜、辣椒和葱，讲解选土、浇水和防虫的基本方法。",
         ["Translated this balcony vegetable guide and grew bok choy in a window box. Harvested the first leaves in five weeks.",
          "Chilli plants in pots gave more peppers than I can eat. The watering advice for hot weeks was useful.",
          "Spring onions regrow from their roots in a pot of soil, just like the guide said. An endless supply.",
          "Aphids attacked my cabbages, but the soapy water spray recommended here cleared them up.",
          "A good introduction for small spaces. Choosing a light, well-draining potting mix really matters."],
         ["在阳台花盆里种了小白菜，五周就能吃了，自己种的菜就是香。",
          "辣椒盆栽结了好多果子，夏天每天傍晚浇一次水就够了。",
          "把葱的根部插进土里又长出来了，阳台小菜园真是省心。"]),
    ],
    "video_games": [
        ("Open-world RPG review",
         "Review of a sprawling fantasy role-playing game with a branching story, crafting and a huge explorable map.",
         ["Sixty hours in and I keep finding hidden caves. The side quests are better written than most main stories.",
          "Combat feels floaty compared to the exploration, but the branching choices really matter later on.",
          "Frame rate drops in the capital city on my console. Patch that and this game is a masterpiece.",
          "The crafting system is deep without being a chore. I spent a whole evening just forging armour.",
          "Loved the companion characters, and one of their personal quests actually made me tear up."],
         ["这款开放世界角色扮演游戏玩了六十小时还在发现隐藏洞穴，支线剧情写得特别好。"]),
        ("Indie roguelike deckbuilder",
         "A small indie game mixing deckbuilding and roguelike runs, where each run unlocks new cards and characters.",
         ["Just one more run turned into three in the morning. The synergy between the poison cards is addictive.",
          "The difficulty spike at the third boss is brutal, but every loss teaches you something new.",
          "For a tiny indie team, the art and music are gorgeous. Worth every penny of the asking price.",
          "I wish there were more characters at launch. After forty runs the card pool starts to feel familiar."],
         ["这款卡牌肉鸽游戏太上头了，说好再来一局，结果玩到凌晨三点。"]),
        ("Wireless controller",
         "A wireless gamepad with hall-effect sticks, remappable back buttons and a 40-hour battery.",
         ["The hall-effect sticks mean no drift, which finally ended my cycle of replacing controllers every year.",
          "Back buttons are a game changer in shooters. I can jump without taking my thumb off the aim stick.",
          "The battery lasts a whole week of evening sessions, and Bluetooth pairing with my PC was painless.",
          "The triggers feel a bit mushy compared to the official pad, but everything else is excellent.",
          "The software for remapping buttons is clunky and only runs on Windows, which is annoying."],
         ["这个手柄用了霍尔摇杆，再也不怕漂移，背键在射击游戏里特别好用。"]),
        ("Speedrunning explained",
         "Video documentary about the speedrunning community, routing, glitches and world-record attempts.",
         ["Never understood why people care about shaving milliseconds until this documentary. Now I watch runs every weekend.",
          "The segment on routing a glitchless category was fascinating. So much planning for a few seconds.",
          "Loved the interviews with the runners. The community seems genuinely supportive of newcomers.",
          "Tried a beginner category in an old platformer after watching. Got a personal best after two hundred attempts."],
         ["看了这部速通纪录片才明白大家为什么要为几毫秒拼命，社区氛围也很友好。"]),
        ("Cozy farming sim",
         "A relaxing farming and life-simulation game about growing crops, fishing and befriending villagers.",
         ["The perfect game to unwind after work. Watering my crops and fishing at sunset is weirdly calming.",
          "Playing co-op with my partner on the same farm has become our evening ritual.",
          "The villager friendship system is charming, but giving gifts gets repetitive in the second in-game year.",
          "I planned my whole farm layout on graph paper. Maybe I am taking this game a little too seriously.",
          "It runs smoothly on the handheld console, which is how I play it in bed before sleep."],
         ["下班后玩这款种田游戏特别治愈，浇水、钓鱼、和村民聊天，一晚上就过去了。"]),
        ("Competitive shooter patch notes",
         "Breakdown of the latest balance patch for a team-based shooter: weapon changes, map updates and ranked fixes.",
         ["The sniper rifle nerf was overdue. Matches feel less like waiting to get one-shot from across the map.",
          "The reworked map is much better for attackers now that the long corridor has some cover.",
          "Ranked matchmaking still puts me with teammates who quit in the first round. Please patch that next.",
          "A good summary of the patch. The official notes are so long that nobody actually reads them."],
         ["这次平衡补丁终于削弱了狙击枪，排位赛体验好多了，不过匹配机制还是有问题。"]),
        ("Retro console collecting",
         "Guide to collecting retro consoles and cartridges: spotting fakes, cleaning contacts and paying fair prices.",
         ["Cleaning the cartridge contacts with isopropyl alcohol brought three supposedly dead games back to life.",
          "The tips on spotting fake cartridges saved me from a bad online purchase. The label printing was a giveaway.",
          "Prices have gone crazy, so I focus on boxed copies of the games I actually played as a kid.",
          "Replaced the capacitors in an old handheld following the linked tutorial. The screen is brighter than ever."],
         ["用酒精清洁卡带金手指后，三盘以为坏掉的老游戏又能玩了。"]),
        ("Gaming monitor 27-inch 165Hz",
         "A 27-inch IPS gaming monitor with 1440p resolution, a 165Hz refresh rate and adaptive sync.",
         ["Going from 60Hz to 165Hz made shooters feel buttery smooth. I honestly can't go back now.",
          "Colours are vibrant out of the box, but there is some backlight bleed in the corners during dark scenes.",
          "1440p at 27 inches is the sweet spot. Text is sharp and my graphics card can still hold high frame rates.",
          "The stand only tilts and has no height adjustment, so I ended up buying a monitor arm.",
          "Adaptive sync removed the screen tearing in racing games. Great value for the money."],
         ["从六十赫兹换到一百六十五赫兹的显示器，玩射击游戏顺滑太多，回不去了。"]),
        ("Story-driven adventure game",
         "A narrative adventure with hand-painted visuals, puzzles and dialogue choices about a family secret.",
         ["Finished it in one weekend and I still think about the ending. The writing is heartbreaking.",
          "The puzzles are gentle, so it is ideal if you mostly want the story. My friend who never plays games loved it.",
          "The hand-painted backgrounds look like a picture book. Every scene could be a wallpaper.",
          "The dialogue choices feel meaningful until the last chapter, which railroads you a bit."],
         ["这款剧情冒险游戏一个周末就通关了，结局让我难过了好几天，画面像绘本一样美。"]),
        ("国产独立游戏推荐",
         "盘点近期口碑不错的国产独立游戏，涵盖解谜、动作和模拟经营等类型。",
         ["Picked up two titles from this indie game list. The ink-painting action game has the most stylish combat I have played this year.",
          "Great recommendations for anyone tired of big-budget sequels. The puzzle game built around shadow mechanics is clever.",
          "Some of these have no English subtitles yet, but the management sim is playable with a bit of guessing.",
          "I love discovering smaller studios through lists like this one. Added four games to my wishlist."],
         ["看了推荐入了那款水墨风动作游戏，战斗手感和美术风格都很出色。",
          "列表里的解谜游戏用光影做机关，设计很巧妙，适合周末慢慢玩。"]),
    ],
    "travel": [
        ("Lisbon in three days",
         "Itinerary for a long weekend in Lisbon: neighbourhoods, viewpoints, trams, custard tarts and day trips.",
         ["Followed the day-one walk through Alfama and got lost in the best way. The viewpoints at sunset were unforgettable.",
          "Skip the famous tram at midday, because the queue was an hour long. We walked the route instead and found quiet cafes.",
          "The day trip to Sintra was worth it, but book the palace tickets ahead. We waited ages at the gate.",
          "Ate a warm custard tart from a different bakery every morning of the trip. Zero regrets.",
          "The hills are steep, so bring comfortable shoes. My calves hurt for two days after we got home."],
         ["按照这份攻略在里斯本玩了三天，阿尔法玛老城的日落观景台太美了。"]),
        ("Carry-on only packing list",
         "How to pack for two weeks in a single carry-on bag: capsule wardrobe, packing cubes and toiletry tips.",
         ["Two weeks in Southeast Asia with only a carry-on bag. Packing cubes and a capsule wardrobe made it possible.",
          "Rolling clothes instead of folding them saved space. I still overpacked shoes, though.",
          "No checked bag meant no waiting at the carousel and no lost luggage. I am fully converted.",
          "Solid shampoo bars were a great tip for getting through airport security without a liquids bag."],
         ["两周旅行只带一个登机箱，用收纳袋和胶囊衣橱，轻松又自由。"]),
        ("Budget travel in Japan",
         "Saving money in Japan: rail passes, business hotels, convenience store meals and free attractions.",
         ["Convenience store breakfasts in Japan are genuinely good and cheap. Rice balls and iced coffee every morning.",
          "Did the maths as suggested and the national rail pass wasn't worth it for our route. Regional tickets were cheaper.",
          "Business hotels are tiny but spotless, and great value compared to the international chains.",
          "Free shrine visits and long walks made Kyoto affordable. The early morning light at the gates was worth waking up for.",
          "Riding slow local trains through the countryside turned out to be one of the highlights of the trip."],
         ["在日本穷游，便利店的饭团和咖啡就是早餐，商务酒店虽小但非常干净。"]),
        ("Noise-cancelling travel headphones",
         "Over-ear noise-cancelling headphones with a 30-hour battery, foldable design and a hard travel case.",
         ["Wore them on a twelve-hour flight and the engine drone simply vanished. Slept most of the way.",
          "The battery easily lasted a return trip to Asia. The case is bulky but protects them well in a backpack.",
          "Comfortable for a few hours, but my ears get warm on long train rides in summer.",
          "The airplane adapter was a nice inclusion for the seat-back entertainment system on long-haul flights."],
         ["戴着这副降噪耳机飞了十二个小时，发动机的轰鸣几乎听不到，睡得很好。"]),
        ("Hiking the Dolomites hut to hut",
         "Planning a multi-day hut-to-hut trek in the Dolomites: routes, booking mountain huts and what to carry.",
         ["Five days of hut-to-hut walking in the Dolomites was the best trip of my life. Book the huts months ahead.",
          "The elevation profiles helped us pick a gentler route. We still had to cross one scary scree slope.",
          "The mountain hut dinners were hearty and the sunrise from the terrace was unreal.",
          "Carry cash, because several huts did not take cards. We nearly ran out on day three.",
          "Afternoon thunderstorms in the mountains are no joke, so we started walking early every day as recommended."],
         ["多洛米蒂山屋徒步五天，山屋一定要提前几个月预订，山顶日出太震撼了。"]),
        ("Travel insurance explained",
         "What travel insurance actually covers: medical care, cancellations, lost baggage and common exclusions.",
         ["Read the exclusions before my ski trip and realised my policy did not cover off-piste skiing. Upgraded it.",
          "Our flight got cancelled and the claim went smoothly because I kept every receipt, as the article advised.",
          "Good explanation of medical cover abroad. An annual policy turned out cheaper for my three trips a year.",
          "Wish I had read this before my suitcase went missing, because my policy's baggage limit was tiny."],
         ["出发前仔细看了保险条款，才发现原来的保单不包含滑雪，赶紧升级了。"]),
        ("Street food tour in Mexico City",
         "A food-focused guide to Mexico City markets, taco stands and neighbourhoods, with safety tips.",
         ["Tacos al pastor from a street stand at midnight remain the best thing I have ever eaten on a trip.",
          "The market guide led us to a stall selling tlayudas that we would never have found on our own.",
          "Good tips on choosing busy stands with lots of locals. My stomach survived a week of street food just fine.",
          "Stayed in Roma Norte as suggested. Walkable, leafy and full of cafes and bakeries.",
          "Loved the tip about tamales for breakfast. A warm tamal and hot chocolate on a chilly morning is perfect."],
         ["在墨西哥城的街边摊吃了午夜的牧师塔可，是我旅行中最难忘的一餐。"]),
        ("Solo travel safety tips",
         "Practical advice for travelling alone: choosing accommodation, sharing plans, meeting people and trusting your instincts.",
         ["First solo trip done. Sharing my location with a friend and arriving before dark made me feel much safer.",
          "Hostels with private rooms were a great middle ground between meeting people and having my own space.",
          "Free walking tours are the easiest way to meet other travellers. Met two people I am still in touch with.",
          "Trusting my gut and leaving a bar that felt wrong was the best advice in here."],
         ["第一次一个人旅行，提前告诉朋友行程，天黑前到住处，心里踏实很多。"]),
        ("Scenic train journeys in Europe",
         "Six train routes through mountains, lakes and coastlines, with booking tips and the best seats to choose.",
         ["Took the mountain route through the Alps and sat on the left as advised. Glaciers and lakes the whole way.",
          "Slower than flying, but arriving relaxed in the city centre beats queuing at the airport.",
          "Booking early got us first-class seats for barely more than second class. Big windows and a quiet carriage.",
          "The coastal line was beautiful, though our train was delayed by an hour. Bring snacks and a book."],
         ["坐景观火车穿过阿尔卑斯山，按推荐坐在左侧，一路都是雪山和湖泊。"]),
        ("云南自由行攻略",
         "大理、丽江到香格里拉的十日自由行路线，包括交通、住宿、美食和高原注意事项。",
         ["Used a translated version of this Yunnan itinerary. Cycling around the lake in Dali was the highlight of our trip.",
          "The altitude in Shangri-La hit me harder than expected, and taking the first day slowly, as advised, really helped.",
          "Lijiang old town gets busy, but early mornings were peaceful and the rooftop views were lovely.",
          "The rice noodle recommendations alone made this travel guide worth reading. We ate them every single day."],
         ["大理环洱海骑行是这次云南之行最美好的回忆，风景像画一样。",
          "到了香格里拉有点高反，第一天放慢节奏多喝水，第二天就好多了。"]),
    ],
    "fitness": [
        ("Couch to 5K running plan",
         "A nine-week beginner plan that alternates walking and running until you can run five kilometres.",
         ["Week six was tough, but I just ran thirty minutes without stopping for the first time in my life.",
          "Slowing down to a conversational pace was the key. I was going far too fast at the start of each run.",
          "Repeated week four twice because my shins hurt. Listening to my body paid off in the end.",
          "Finished my first 5K parkrun on Saturday. Slow, but smiling the whole way round.",
          "The walk-run intervals make the plan approachable. My mum and I are doing it together."],
         ["跟着跑步入门计划练了六周，今天第一次连续跑了三十分钟没停。"]),
        ("Adjustable dumbbells",
         "A pair of space-saving adjustable dumbbells from 2 to 24 kg with a quick dial selector.",
         ["These replaced a whole rack of weights in my spare room. The dial clicks securely and changing weight takes seconds.",
          "An awkward shape for goblet squats, but perfect for presses, rows and curls.",
          "I wish they went heavier than 24 kg, because my deadlifts outgrew them quickly.",
          "Solid build after a year of daily use. The plastic storage tray is the only part that feels cheap."],
         ["这对可调节哑铃很省空间，转一下旋钮就能换重量，在家练很方便。"]),
        ("Beginner strength program",
         "Three full-body sessions per week built around squats, deadlifts, presses and rows with progressive overload.",
         ["Three months on this program and my squat went from the empty bar to eighty kilos.",
          "Adding small increments each week kept me progressing without injury. Logging every session helps a lot.",
          "The form videos for the deadlift were clear. I stopped rounding my back after filming myself lifting.",
          "Full-body sessions three times a week fit my schedule much better than a body-part split ever did.",
          "Stalled on the overhead press after eight weeks, so I switched to smaller jumps in weight as suggested."],
         ["练了三个月全身力量计划，深蹲从空杆涨到了八十公斤，每次训练都记录很关键。"]),
        ("Mobility routine for desk workers",
         "A fifteen-minute daily routine to loosen tight hips, shoulders and upper back after long days of sitting.",
         ["My lower back pain eased after two weeks of the hip flexor stretches. I do them at lunch now.",
          "Fifteen minutes is realistic, even on busy days. The thoracic rotations feel amazing after a long meeting.",
          "I set a reminder every hour to stand up and do the doorway chest stretch from this routine.",
          "Simple, no equipment needed, and my shoulders no longer creep up to my ears by the evening."],
         ["每天午休做十五分钟拉伸，髋部和肩膀放松了很多，腰也没那么疼了。"]),
        ("Fitness tracker watch",
         "A GPS fitness watch with heart-rate monitoring, sleep tracking and a week-long battery.",
         ["GPS locks on quickly and the distances match the running track. Heart rate is shaky during intervals, though.",
          "Sleep tracking showed how much late coffee hurts my rest, so I cut it out after lunch.",
          "The battery lasts a full week with daily runs. The charging cable is proprietary, annoyingly.",
          "It is nice to see my resting heart rate drop as my fitness improved over three months.",
          "The companion app is cluttered, but the watch itself is comfortable enough to wear all night."],
         ["这块运动手表定位很快，配速和距离很准，睡眠监测也让我晚上少喝了咖啡。"]),
        ("HIIT workouts at home",
         "Twenty-minute high-intensity interval workouts using bodyweight only, for small spaces and no equipment.",
         ["Twenty minutes and I am completely drenched. Great for the days when I cannot get to the gym.",
          "Burpees are still my enemy, but I can now finish the full round of forty seconds on, twenty seconds off.",
          "My downstairs neighbour complained about the jumping, so I switched to the low-impact options.",
          "Quick, effective and no equipment needed. I do a session three mornings a week before work."],
         ["在家做二十分钟高强度间歇训练，不用器械，出汗量比去健身房还多。"]),
        ("Protein and recovery guide",
         "How much protein you need, timing it around workouts, and the role of sleep and rest days in recovery.",
         ["Spreading protein across meals instead of one big dinner helped my recovery. Less soreness the next day.",
          "A good reminder that sleep matters more than any supplement. Going to bed earlier did more than protein shakes.",
          "The rest day section convinced me to stop training seven days a week. My lifts went up afterwards.",
          "Greek yoghurt and eggs now cover most of my protein needs, so there is no need for expensive powders."],
         ["把蛋白质分散到三餐里，再加上早点睡觉，训练后的肌肉酸痛明显减轻了。"]),
        ("Yoga for runners",
         "Video: a gentle yoga flow targeting the hamstrings, calves and hips for runners after long sessions.",
         ["After my long Sunday run I do this flow and my hamstrings thank me. Pigeon pose is intense but helpful.",
          "Slow pace and clear cues. I am not flexible at all and still managed most of the poses.",
          "Much less calf tightness on Mondays since adding this routine after my weekend runs.",
          "The breathing section at the end is my favourite part. It calms me down after a hard race.",
          "Would love a longer version of this flow for rest days, maybe with more hip openers."],
         ["长跑后跟着做这套瑜伽，腘绳肌和小腿放松很多，第二天不再僵硬。"]),
        ("Kettlebell swing technique",
         "How to hinge, snap the hips and breathe correctly for safe and powerful kettlebell swings.",
         ["I was squatting my swings instead of hinging. After fixing that, my lower back stopped aching.",
          "Snapping the hips and letting the bell float felt strange at first, but now the movement is smooth.",
          "Ten minutes of swings every morning improved my conditioning more than I expected.",
          "Started with a 12 kg kettlebell as recommended and moved up to 16 kg after a month."],
         ["学会了用髋部发力做壶铃摆荡，腰不再酸了，每天早上十分钟就很出汗。"]),
        ("跳绳减脂训练计划",
         "四周跳绳训练计划：从基础跳到双摇，搭配热身和保护膝盖的要点。",
         ["Translated this jump rope plan and started with one-minute rounds. My coordination improved within a week.",
          "Double unders are still out of reach, but I can now skip for five minutes without stopping.",
          "Good advice on landing softly on the balls of your feet. My knees feel completely fine.",
          "Cheap, portable cardio. I take the rope on business trips and skip in hotel car parks."],
         ["跟着四周跳绳计划练习，现在能连续跳五分钟了，双摇还在努力中。",
          "跳绳前先热身，落地时用前脚掌轻轻着地，膝盖一点也不疼。"]),
    ],
}

N_EN_USERS = 40          # u01..u40 write in English
N_ZH_USERS = 8           # u41..u48 write in Simplified Chinese
EN_USERS_WITH_ONE_ZH_POST = ("u07", "u23")
START = dt.datetime(2026, 1, 1)
END = dt.datetime(2026, 6, 30, 23, 59)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S")


def build_items():
    items, posts_by_area = [], {a: {"en": [], "zh": []} for a in AREAS}
    n = 0
    for area in AREAS:
        for title, desc, en, zh in CATALOGUE[area]:
            n += 1
            iid = "i%03d" % n
            items.append({"item_id": iid, "title": title, "text": desc, "interest": area})
            posts_by_area[area]["en"] += [(iid, t) for t in en]
            posts_by_area[area]["zh"] += [(iid, t) for t in zh]
    return items, posts_by_area


def user_profiles(rng):
    """Main/secondary (and optional third) interest plus post counts per user."""
    profiles = []
    for i in range(N_EN_USERS + N_ZH_USERS):
        uid = "u%02d" % (i + 1)
        if i < N_EN_USERS:
            lang = "en"
            main = AREAS[i % 8]
            second = AREAS[(i % 8 + 1 + i // 8) % 8]   # balanced pairs
            n = rng.randint(4, 11)
        else:
            lang = "zh"
            j = i - N_EN_USERS
            main = AREAS[j]
            second = AREAS[(j + 3) % 8]
            n = rng.randint(5, 9)
        third = None
        if n >= 6 and rng.random() < 0.35:
            third = rng.choice([a for a in AREAS if a not in (main, second)])
        if n <= 5 and rng.random() < 0.3:        # a few single-interest users
            counts = {main: n}
        else:
            t = 1 if third else 0
            s = max(1, round((n - t) * 0.35))
            counts = {main: n - t - s, second: s}
            if third:
                counts[third] = 1
        profiles.append({"user_id": uid, "lang": lang, "counts": counts, "n": n})
    return profiles


def draw(pool, used_items):
    """Take a post from pool, preferring an item the user has not posted about."""
    for k, (iid, _) in enumerate(pool):
        if iid not in used_items:
            return pool.pop(k)
    return pool.pop(0)


DOMAINS = ("forum", "reviews")


def assign_domains(posts, profiles):
    """Where each post was written, from a random stream of its own (so the rest of the data is unchanged):
    six users in ten write in both domains, their main interest in their home domain and their other
    interests in the other one; the rest write only in their home domain."""
    rng = random.Random(SEED + 1)
    for prof in profiles:
        both, home = rng.random() < 0.6, rng.choice(DOMAINS)
        away = DOMAINS[1 - DOMAINS.index(home)]
        main_area = max(prof["counts"], key=prof["counts"].get)
        for p in posts:
            if p["user_id"] == prof["user_id"]:
                p["domain"] = home if not both or p["interest"] == main_area else away


def main():
    rng = random.Random(SEED)
    items, posts_by_area = build_items()
    for area in AREAS:
        for lang in ("en", "zh"):
            rng.shuffle(posts_by_area[area][lang])
    items_by_area = {a: [it["item_id"] for it in items if it["interest"] == a] for a in AREAS}
    area_of_item = {it["item_id"]: it["interest"] for it in items}

    profiles = user_profiles(rng)
    span = int((END - START).total_seconds()) // 60
    posts, interactions = [], []
    for prof in profiles:
        uid, lang = prof["user_id"], prof["lang"]
        chosen, used = [], set()
        for area, cnt in prof["counts"].items():
            for _ in range(cnt):
                pool = posts_by_area[area][lang]
                if not pool:
                    raise SystemExit("pool exhausted: %s/%s" % (area, lang))
                iid, text = draw(pool, used)
                used.add(iid)
                chosen.append((area, iid, text))
        if uid in EN_USERS_WITH_ONE_ZH_POST:
            area = max(prof["counts"], key=prof["counts"].get)
            iid, text = draw(posts_by_area[area]["zh"], used)
            k = next(k for k, c in enumerate(chosen) if c[0] == area)
            chosen[k] = (area, iid, text)
        rng.shuffle(chosen)
        # increasing timestamps, starting a couple of days into January
        minutes = sorted(rng.sample(range(3 * 24 * 60, span), len(chosen)))
        times = [START + dt.timedelta(minutes=m, seconds=rng.randint(0, 59)) for m in minutes]
        seen = {}
        for (area, iid, text), t in zip(chosen, times):
            posts.append({"user_id": uid, "item_id": iid, "text": text,
                          "interest": area, "time": t})
            # the user consumed the item shortly before commenting on it
            consumed = t - dt.timedelta(minutes=rng.randint(20, 48 * 60))
            if iid not in seen:
                seen[iid] = {"user_id": uid, "item_id": iid,
                             "rating": 5 if rng.random() < 0.6 else 4, "time": consumed}
        # extra interactions: mostly within the user's areas, some outside
        target = min(20, max(6, len(seen) + rng.randint(2, 8)))
        interests = list(prof["counts"])
        others = [a for a in AREAS if a not in interests]
        while len(seen) < target:
            if rng.random() < 0.7:
                area = rng.choice(interests)
                rating = rng.choice([3, 4, 4, 5, 5, 5])
            else:
                area = rng.choice(others)
                rating = rng.choice([1, 2, 2, 3, 3, 4])
            iid = rng.choice(items_by_area[area])
            if iid in seen:
                continue
            t = START + dt.timedelta(minutes=rng.randint(0, span), seconds=rng.randint(0, 59))
            seen[iid] = {"user_id": uid, "item_id": iid, "rating": rating, "time": t}
        interactions += sorted(seen.values(), key=lambda r: r["time"])

    posts.sort(key=lambda p: (p["time"], p["user_id"]))
    for k, p in enumerate(posts, 1):
        p["post_id"] = "p%04d" % k
    posts.sort(key=lambda p: (p["user_id"], p["time"]))
    assert all(area_of_item[p["item_id"]] == p["interest"] for p in posts)
    assign_domains(posts, profiles)

    def write(name, fields, rows):
        with open(os.path.join(HERE, name), "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
            w.writeheader()
            for r in rows:
                r = dict(r)
                if isinstance(r.get("time"), dt.datetime):
                    r["time"] = iso(r["time"])
                w.writerow(r)

    write("demo_items.csv", ["item_id", "title", "text", "interest"], items)
    write("demo_posts.csv", ["post_id", "user_id", "item_id", "text", "interest", "time", "domain"], posts)
    write("demo_interactions.csv", ["user_id", "item_id", "rating", "time"], interactions)

    n_users = len(profiles)
    zh_users = ", ".join(p["user_id"] for p in profiles if p["lang"] == "zh")
    readme = f"""# Demo data

Small, hand-written demo data set for the user-interest topic modelling dashboard.
All texts were written for this project (not taken from any existing data set or website)
and may be used freely under the project's licence. Regenerate with `python3 assets/make_demo.py`
(stdlib only, deterministic: `random.Random({SEED})`).

- `demo_posts.csv` ({len(posts)} rows): `post_id,user_id,item_id,text,interest,time,domain` - short
  comments/reviews users wrote about catalogue items. `interest` is the ground-truth area label; `time` is
  ISO 8601 (2026-01-01 .. 2026-06-30), increasing per user; `domain` is where it was written (`forum` or
  `reviews`): {sum(len({p["domain"] for p in posts if p["user_id"] == u["user_id"]}) == 2 for u in profiles)} users
  write in both, their main interest in one and the others in the other. {n_users} users, 4-12 posts each,
  mostly 1-3 interest areas.
- `demo_items.csv` ({len(items)} rows): `item_id,title,text,interest` - catalogue of articles, products and videos,
  10 per area; one item per area is written in Chinese.
- `demo_interactions.csv` ({len(interactions)} rows): `user_id,item_id,rating,time` - ratings 1-5, 6-20 per user;
  every (user, item) pair from the posts is included (rating 4-5); extra ratings are mostly within a user's areas.
- Interest areas (8): {", ".join(AREAS)}.
- Users {zh_users} write in Simplified Chinese; {", ".join(EN_USERS_WITH_ONE_ZH_POST)} each wrote one Chinese post.
"""
    with open(os.path.join(HERE, "README.md"), "w", encoding="utf-8") as f:
        f.write(readme)
    print(f"items={len(items)} posts={len(posts)} interactions={len(interactions)} users={n_users}")


if __name__ == "__main__":
    main()
